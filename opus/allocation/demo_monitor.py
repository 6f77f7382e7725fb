"""Demo world: personal budgets for social activity across the neighbourhoods, and six months of
the postcode-lottery monitor's snapshots.

Take-up follows need (the published assessment's lonely adults) in every neighbourhood but the
most deprived one, where it is a quarter of the rest's: a real pattern the monitor should catch
(people who need help most often ask for it least), so that its funnel plot flags that
neighbourhood honestly from the records, not from a flag set by hand. The budgets open month by
month, so the index over time moves.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils import timezone

from opus.allocation import monitor
from opus.budgets import services as budgets
from opus.core.models import Area, AreaKind, Organisation, User

TAKE_UP = 0.012  # budgets per lonely adult, where take-up follows need
LOW_TAKE_UP = TAKE_UP / 4
MONTHS = 6
NEEDS = ("befriending", "lunch-clubs", "day-opportunities")


def _lonely(hoods: list[Area]) -> list[float]:
    """People in need of social activity per neighbourhood, as the monitor counts them."""
    geo = monitor._Geography("neighbourhood")
    need = monitor._need(monitor._newest_assessment(), "loneliness", "neighbourhood", geo)
    by_pk = dict(
        zip([a.pk for a in geo.areas], need if need is not None else geo.population, strict=True)
    )
    return [float(by_pk.get(hood.pk, hood.population)) for hood in hoods]


def _person(n: int) -> User:
    person, created = User.objects.get_or_create(
        email=f"monitor{n:03d}@demo.opus.test", defaults={"full_name": f"Demo resident {n:03d}"}
    )
    if created:
        person.set_unusable_password()
        person.save(update_fields=["password"])
    return person


def _budgets(hoods: list[Area], by: User, council: Organisation, rng: np.random.Generator) -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    lonely = _lonely(hoods)
    deprived = max(range(len(hoods)), key=lambda i: hoods[i].imd_score or 0)
    n = 0
    for i, hood in enumerate(hoods):
        rate = LOW_TAKE_UP if i == deprived else TAKE_UP
        for _k in range(int(round(lonely[i] * rate))):
            n += 1
            months_ago = int(rng.integers(0, MONTHS))
            start = (first - dt.timedelta(days=31 * months_ago)).replace(day=1)
            end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
            budgets.budget_create(
                person=_person(n), title="Personal budget (social activity)",
                period_start=start, period_end=end,
                sources=[("social_care", council, int(rng.integers(8, 30)) * 100_00)], by=by,
                needs=[NEEDS[n % len(NEEDS)]], area=hood, on=start,
            )  # fmt: skip


def _snapshots() -> None:
    today = timezone.localdate()
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    days = [today]
    for _month in range(MONTHS - 1):
        days.append(month_end)
        month_end = month_end.replace(day=1) - dt.timedelta(days=1)
    for day in sorted(days):
        monitor.snapshot_take(on=day, by=None, draws=1000, seed=2026)


def seed_monitor(seed: int = 2026) -> None:
    """Budgets that make the monitor's picture, then a snapshot for each of the last months."""
    commissioner = User.objects.filter(email="commissioner@demo.opus.test").first()
    council = Organisation.objects.filter(slug="northvale-council").first()
    hoods = list(Area.objects.filter(kind=AreaKind.NEIGHBOURHOOD).order_by("code"))
    if commissioner is None or council is None or not hoods:
        return
    _budgets(hoods, commissioner, council, np.random.default_rng(seed))
    _snapshots()
