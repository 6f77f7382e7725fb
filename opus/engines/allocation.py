"""A points-based resource allocation system (RAS): from an assessment to an indicative budget.

Each question belongs to a need domain and each answer carries points. A domain's points may be
capped; the total points times the published price per point gives the annual indicative budget,
raised to the minimum and held to the maximum. The calculation is returned line by line so the
person can see exactly how their figure was reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from opus.engines.money import pounds


class RasError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Answer:
    label: str
    points: int


@dataclass(frozen=True)
class Question:
    key: str
    domain: str
    text: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Ras:
    questions: tuple[Question, ...]
    price_per_point_pence: int  # annual pence per point
    minimum_pence: int = 0
    maximum_pence: int | None = None
    domain_caps: Mapping[str, int] = field(default_factory=dict)  # most points a domain counts


@dataclass(frozen=True)
class DomainLine:
    domain: str
    points: int
    counted: int  # after the domain's cap


@dataclass(frozen=True)
class Calculation:
    domains: tuple[DomainLine, ...]
    points: int
    price_per_point_pence: int
    raw_pence: int
    indicative_pence: int
    notes: tuple[str, ...]


def validate(ras: Ras) -> None:
    """A RAS a commissioner may publish: unique keys, answers with non-negative points."""
    if ras.price_per_point_pence <= 0:
        raise RasError("The price per point must be more than zero", "price_per_point")
    if ras.minimum_pence < 0:
        raise RasError("The minimum cannot be negative", "minimum")
    if ras.maximum_pence is not None and ras.maximum_pence < ras.minimum_pence:
        raise RasError("The maximum must not be below the minimum", "maximum")
    keys = [q.key for q in ras.questions]
    if not keys:
        raise RasError("Add at least one question", "questions")
    if len(set(keys)) != len(keys):
        raise RasError("Each question needs its own key", "questions")
    for question in ras.questions:
        if len(question.answers) < 2:
            raise RasError(f"Question '{question.key}' needs at least two answers", "questions")
        if any(a.points < 0 for a in question.answers):
            raise RasError(f"Question '{question.key}' has negative points", "questions")


def calculate(ras: Ras, answers: Mapping[str, int]) -> Calculation:
    """Indicative annual budget from answers (question key → index of the chosen answer)."""
    by_domain: dict[str, int] = {}
    for question in ras.questions:
        if question.key not in answers:
            raise RasError(f"Answer the question: {question.text}", question.key)
        index = answers[question.key]
        if not 0 <= index < len(question.answers):
            raise RasError(f"Choose one of the answers to: {question.text}", question.key)
        points = question.answers[index].points
        by_domain[question.domain] = by_domain.get(question.domain, 0) + points
    lines = tuple(
        DomainLine(domain, points, min(points, ras.domain_caps.get(domain, points)))
        for domain, points in by_domain.items()
    )
    return _priced(ras, lines)


def _priced(ras: Ras, lines: Sequence[DomainLine]) -> Calculation:
    points = sum(line.counted for line in lines)
    raw = points * ras.price_per_point_pence
    notes = [
        f"{line.domain}: {line.points} points, capped at {line.counted}"
        for line in lines
        if line.counted < line.points
    ]
    amount = raw
    if amount < ras.minimum_pence:
        amount = ras.minimum_pence
        notes.append(f"Raised to the minimum budget of {pounds(ras.minimum_pence)}")
    if ras.maximum_pence is not None and amount > ras.maximum_pence:
        amount = ras.maximum_pence
        notes.append(f"Held to the maximum budget of {pounds(ras.maximum_pence)}")
    return Calculation(tuple(lines), points, ras.price_per_point_pence, raw, amount, tuple(notes))
