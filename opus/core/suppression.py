"""Small-number suppression for published counts, through the disclosure engine."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def suppress_counts(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Rows of label, value (None when suppressed) and whether it was suppressed.

    A single row of categories with a published total: counts below the
    threshold are hidden, and if exactly one is hidden the next smallest is too,
    so the hidden one cannot be recovered by subtraction.
    """
    from opus.engines.disclosure import suppress_table

    labels = list(counts)
    if not labels:
        return []
    table = suppress_table(
        [[int(counts[label]) for label in labels]],
        threshold=settings.OPUS_SUPPRESSION_THRESHOLD,
    )
    return [
        {
            "label": label,
            "value": None if table.mask[0][i] else counts[label],
            "suppressed": bool(table.mask[0][i]),
        }
        for i, label in enumerate(labels)
    ]
