"""Small grants from neighbourhood budgets: applications, decisions, payments, monitoring."""
