"""Neighbourhood councils: members, meetings, decisions, declarations and their budgets."""
