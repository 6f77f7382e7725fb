"""Demo world: placeholder filled by the part that owns it."""


def seed_monitor(seed: int = 2026) -> None:  # noqa: ARG001 - every demo step takes the seed
    """Nothing yet."""
