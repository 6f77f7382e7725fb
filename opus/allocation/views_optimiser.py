"""The optimiser page for commissioners: choose, run, read what binds, download."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from opus.allocation import optimiser
from opus.core import csvsafe
from opus.core.fields import GovukForm
from opus.core.models import Role
from opus.core.roles import role_required

MAX_POUNDS = Decimal("10000000000")  # £10bn: more than any local budget


def _pounds_field(label: str, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal(0), max_value=MAX_POUNDS,
        decimal_places=2, max_digits=14,
    )  # fmt: skip


class OptimiserForm(GovukForm):
    level = forms.ChoiceField(
        label=_("Areas"), choices=[("neighbourhood", _("Neighbourhoods")), ("ward", _("Wards"))]
    )
    services = forms.MultipleChoiceField(
        label=_("Kinds of service"), widget=forms.CheckboxSelectMultiple,
        choices=optimiser.service_choices, help_text=_("Choose up to 10"),
    )  # fmt: skip
    budget = _pounds_field(_("Budget in pounds"), required=True)
    area_floor = _pounds_field(_("Least each area gets, in pounds (optional)"))
    area_cap = _pounds_field(_("Most each area gets, in pounds (optional)"))
    service_floor = _pounds_field(_("Least each service gets, in pounds (optional)"))
    service_cap = _pounds_field(_("Most each service gets, in pounds (optional)"))

    def clean_services(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["services"]
        if len(chosen) > optimiser.MAX_SERVICES:
            raise forms.ValidationError(_("Choose up to 10 kinds of service"))
        return chosen

    def clean_budget(self) -> Decimal:
        budget: Decimal = self.cleaned_data["budget"]
        if budget <= 0:
            raise forms.ValidationError(_("Enter a budget of more than £0"))
        return budget

    def choice(self) -> optimiser.Choice:
        data = self.cleaned_data

        def pence(name: str) -> int | None:
            value = data.get(name)
            return None if value is None else int(value * 100)

        return optimiser.Choice(
            level=data["level"], services=tuple(data["services"]),
            budget_pence=int(data["budget"] * 100), area_floor=pence("area_floor"),
            area_cap=pence("area_cap"), service_floor=pence("service_floor"),
            service_cap=pence("service_cap"),
        )  # fmt: skip


@require_GET
@role_required(Role.COMMISSIONER, Role.ADMIN)
def optimiser_page(request: HttpRequest) -> HttpResponse:
    """The form (a GET, so a run can be bookmarked and nothing is stored), and its answer."""
    form = OptimiserForm(request.GET if "budget" in request.GET else None)
    answer: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        answer = optimiser.run(form.choice())
        if request.GET.get("format") == "csv" and "rows" in answer:
            return _csv(answer)
    query = request.GET.urlencode()
    return render(
        request, "allocation/optimiser/page.html", {"form": form, "answer": answer, "query": query}
    )


def _csv(answer: dict[str, Any]) -> HttpResponse:
    response = csvsafe.download("optimised-shares.csv")
    out = csvsafe.writer(response)
    out.writerow(["area_code", "area", *answer["services"], "total", "benefit"])
    for row in answer["rows"]:
        pounds = [f"{p / 100:.2f}" for p in row["pence"]]
        out.writerow([row["code"], row["name"], *pounds, f"{row['total'] / 100:.2f}",
                      f"{row['benefit']:.4f}"])  # fmt: skip
    return response
