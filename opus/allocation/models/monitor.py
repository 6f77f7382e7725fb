"""Placeholder filled by the part that owns it."""

__all__: list[str] = []
