"""Opus: open public services for a local area."""
