"""Neighbourhoods: councils and budgets, participatory budgeting, small grants, asset register."""
