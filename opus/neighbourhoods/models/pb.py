"""Participatory budgeting: processes, proposals, ballots, results and delivery."""
