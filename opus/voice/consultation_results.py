"""What a consultation's responses add up to: counts per option, themes, equality groups.

Equality-monitoring answers are published only in groups of at least
`EQUALITY_MINIMUM` people (primary suppression, with secondary suppression so that a hidden
group cannot be worked out from the total: `engines/disclosure.py`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opus.core.charts import horizontal_bars
from opus.engines.disclosure import suppress_table
from opus.voice.consultations import EQUALITY_FIELDS
from opus.voice.models import Answer, Consultation, QuestionKind, Response, Theme

EQUALITY_MINIMUM = 10
EQUALITY_LABELS = {
    "age_band": gettext_lazy("Age"),
    "sex": gettext_lazy("Sex"),
    "disability": gettext_lazy("Disability"),
    "ethnic_group": gettext_lazy("Ethnic group"),
}


def option_counts(consultation: Consultation) -> list[dict[str, Any]]:
    """For each choice question: how many chose each option, with a bar chart's geometry."""
    chosen: dict[int, Counter[str]] = {}
    answered: Counter[int] = Counter()
    rows = Answer.objects.filter(response__consultation=consultation).exclude(chosen=[])
    for question_id, picked in rows.values_list("question_id", "chosen"):
        chosen.setdefault(question_id, Counter()).update(picked)
        answered[question_id] += 1
    found = []
    for question in consultation.questions.exclude(kind=QuestionKind.TEXT):
        counts = chosen.get(question.pk, Counter())
        table = [(option, counts[option]) for option in question.choices]
        found.append(
            {
                "question": question,
                "rows": table,
                "answered": answered[question.pk],
                "chart": horizontal_bars(
                    [(o, float(n)) for o, n in table], max([n for _o, n in table] + [1])
                ),
            }
        )
    return found


def theme_counts(consultation: Consultation) -> list[tuple[str, int]]:
    """Themes with how many free-text answers were tagged with each, most first."""
    rows = (
        Theme.objects.filter(consultation=consultation)
        .annotate(n=Count("answers"))
        .order_by("-n", "name")
    )
    return [(t.name, t.n) for t in rows]


def text_answer_count(consultation: Consultation) -> int:
    return (
        Answer.objects.filter(response__consultation=consultation)
        .filter(question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .count()
    )


def equality_tables(consultation: Consultation) -> list[dict[str, Any]]:
    """Each characteristic's groups with their counts (None where fewer than ten people, or
    where a hidden group could be worked out), from consenting respondents only."""
    consenting = Response.objects.filter(consultation=consultation, equality_consent=True)
    tables = []
    for key, choices in EQUALITY_FIELDS.items():
        counts = Counter(consenting.exclude(**{key: ""}).values_list(key, flat=True))
        labels = [str(label) for label in choices.labels]
        values = [counts[value] for value in choices.values]
        shown = suppress_table([values], threshold=EQUALITY_MINIMUM).published()[0]
        tables.append(
            {
                "key": key,
                "label": str(EQUALITY_LABELS[key]),
                "rows": list(zip(labels, shown, strict=True)),
                "total": sum(values),
            }
        )
    return tables


def results(consultation: Consultation) -> dict[str, Any]:
    return {
        "responses": consultation.responses.count(),
        "options": option_counts(consultation),
        "themes": theme_counts(consultation),
        "text_answers": text_answer_count(consultation),
        "equality": equality_tables(consultation),
        "equality_minimum": EQUALITY_MINIMUM,
    }


def csv_rows(found: dict[str, Any]) -> list[list[Any]]:
    """The summary's figures as rows (section, question or group, option, count): the same
    numbers as the page, suppressed cells left empty."""
    rows: list[list[Any]] = [
        [_("Section"), _("Question or characteristic"), _("Answer"), _("Count")]
    ]
    for item in found["options"]:
        rows += [[_("Answers"), item["question"].text, o, n] for o, n in item["rows"]]
    rows += [[_("Themes"), "", name, n] for name, n in found["themes"]]
    for table in found["equality"]:
        rows += [[_("Equality monitoring"), table["label"], g, "" if n is None else int(n)]
                 for g, n in table["rows"]]  # fmt: skip
    return rows
