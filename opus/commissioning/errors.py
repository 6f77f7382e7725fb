"""The one error commissioning services raise for bad input: it names the field."""

from __future__ import annotations


class CommissioningError(ValueError):
    """Bad input or a step out of turn; nothing was changed. `field` names the input."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
