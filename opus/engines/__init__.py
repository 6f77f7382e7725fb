"""Pure-Python engines: no Django here (ruff bans it)."""
