"""Complaints: regimes as data, stages and their clocks, pauses, forwarding, outcomes."""
