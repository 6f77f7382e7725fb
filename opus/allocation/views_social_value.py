"""Social value pages: tables and their licences, ledgers, evidence, wellbeing studies."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opus.allocation import social_value as services
from opus.allocation.forms_social_value import (
    QUESTION,
    AnswerForm,
    EvidenceForm,
    LedgerForm,
    LineForm,
    LinkAnswerForm,
    StudyForm,
    TableUploadForm,
)
from opus.allocation.models import (
    DeflatorTable,
    Ledger,
    LedgerEvidence,
    ValueModel,
    WellbeingStudy,
)
from opus.allocation.social_value_read import (
    get_ledger_for_user,
    get_study_for_user,
    ledger_summary,
    study_result,
)
from opus.allocation.social_value_subjects import open_subjects, subject_of
from opus.commissioning.access import commissioner_organisations, is_commissioner
from opus.commissioning.models import KpiReturn
from opus.core import csvsafe
from opus.core.charts import gradient_chart
from opus.core.models import Role
from opus.core.refusals import attempt
from opus.core.roles import role_required

STAFF = (Role.COMMISSIONER, Role.ADMIN)
REPORTERS = (Role.COMMISSIONER, Role.ADMIN, Role.PROVIDER)


def _attempt(form: Any, action: Any) -> Any:
    return attempt(form, action, services.SocialValueError)


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "page_title": title, "back_url": back, **extra}
    return render(request, "allocation/social_value/form.html", context)


def _owner(request: HttpRequest) -> Any:
    organisation = commissioner_organisations(request.user).first()
    if organisation is None:
        raise Http404("Not a council's officer")
    return organisation


def _chart(by_year: list[tuple[int, int]]) -> dict[str, Any] | None:
    """Columns of value (£, undiscounted) by year of the commitments."""
    if not by_year:
        return None
    values: list[float | None] = [pence / 100 for _year, pence in by_year]
    return gradient_chart(values, [None] * len(values), [None] * len(values), None)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every loaded table with its licence, and the public ledgers."""
    ledgers = Ledger.objects.select_related("contract", "grant", "pb_project")
    if not is_commissioner(request.user):
        ledgers = ledgers.exclude(contract=None, grant=None, pb_project=None)
    context = {
        "models": ValueModel.objects.select_related("owner").annotate(n=Count("metrics")),
        "deflators": DeflatorTable.objects.select_related("owner"),
        "ledgers": ledgers[:200],
        "is_staff": is_commissioner(request.user),
    }
    return render(request, "allocation/social_value/index.html", context)


@role_required(*STAFF)
def table_upload(request: HttpRequest) -> HttpResponse:
    form = TableUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        table = _attempt(form, lambda: services.table_load(
            kind=data["kind"], owner=_owner(request), name=data["name"], source=data["source"],
            licence=data["licence"], content=data["file"].read(), synthetic=data["synthetic"],
            by=request.user,
        ))  # fmt: skip
        if table is not None:
            return redirect("allocation:sv_index")
    return _form_page(request, form, _("Load a value table"), reverse("allocation:sv_index"))


@role_required(*STAFF)
def ledger_new(request: HttpRequest) -> HttpResponse:
    models, deflators = list(ValueModel.objects.all()), list(DeflatorTable.objects.all())
    form = LedgerForm(request.POST or None, subjects=open_subjects(), models=models,
                      deflators=deflators)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {str(d.pk): d for d in deflators}.get(data["deflators"] or "")
        ledger = _attempt(form, lambda: services.ledger_open(
            subject=subject_of(data["subject"]), owner=_owner(request),
            value_model={str(m.pk): m for m in models}[data["value_model"]], deflators=chosen,
            price_year=data["price_year"], by=request.user,
        ))  # fmt: skip
        if ledger is not None:
            return redirect(ledger)
    return _form_page(
        request, form, _("Open a social value ledger"), reverse("allocation:sv_index")
    )


@require_GET
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(request.user, pk)
    summary = ledger_summary(ledger)
    context = {
        "ledger": ledger,
        "summary": summary,
        "chart": _chart(summary.by_year),
        "studies": ledger.studies.all(),
        "evidence": LedgerEvidence.objects.filter(line__ledger=ledger).select_related(
            "line__metric", "line__measure", "kpi_return__kpi"
        ),
        "is_staff": is_commissioner(request.user),
        "may_report": services.may_report(request.user, ledger),
    }
    return render(request, "allocation/social_value/ledger.html", context)


@require_GET
def ledger_csv(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(request.user, pk)
    summary = ledger_summary(ledger)
    response = csvsafe.download(f"social-value-ledger-{ledger.pk}.csv")
    writer = csvsafe.writer(response)
    writer.writerow(["commitment", "unit", "quantity", "years", "deadweight", "attribution",
                     "drop_off", "discount_rate", "wellbys", "value_gbp", "delivered",
                     "delivered_value_gbp"])  # fmt: skip
    for row in summary.rows:
        line = row.line
        writer.writerow([line.label, line.unit, line.quantity, line.years, line.deadweight,
                         line.attribution, line.drop_off, line.discount_rate,
                         line.wellbys if line.wellbys is not None else "",
                         f"{line.value_pence / 100:.2f}", row.delivered,
                         f"{row.delivered_pence / 100:.2f}"])  # fmt: skip
    writer.writerow([])
    writer.writerow(["year", "value_gbp_undiscounted"])
    for year, pence in summary.by_year:
        writer.writerow([year, f"{pence / 100:.2f}"])
    return response


@role_required(*STAFF)
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(request.user, pk)
    metrics = list(ledger.value_model.metrics.all()) if ledger.value_model_id else []
    form = LineForm(request.POST or None, metrics=metrics)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        line = _attempt(form, lambda: services.line_add(
            ledger=ledger, metric={str(m.pk): m for m in metrics}[data["metric"]],
            quantity=data["quantity"], years=data["years"],
            deadweight=data["deadweight"] / 100, attribution=data["attribution"] / 100,
            drop_off=data["drop_off"] / 100, discount_rate=data["discount_rate"] / 100,
            assumptions=data["assumptions"], by=request.user,
        ))  # fmt: skip
        if line is not None:
            return redirect(ledger)
    return _form_page(request, form, _("Add a commitment"), ledger.get_absolute_url(),
                      caption=ledger.title)  # fmt: skip


@role_required(*REPORTERS)
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(request.user, pk)
    if not services.may_report(request.user, ledger):
        raise Http404("Page not found")
    lines = list(ledger.lines.select_related("metric", "measure"))
    returns = list(
        KpiReturn.objects.filter(kpi__contract=ledger.contract_id).select_related("kpi")
        if ledger.contract_id
        else []
    )
    form = EvidenceForm(request.POST or None, lines=lines, returns=returns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(form, lambda: services.evidence_record(
            line={str(x.pk): x for x in lines}[data["line"]], quantity=data["quantity"],
            period_start=data["period_start"], period_end=data["period_end"], note=data["note"],
            kpi_return={str(r.pk): r for r in returns}.get(data["kpi_return"] or ""),
            by=request.user,
        ))  # fmt: skip
        if done is not None:
            return redirect(ledger)
    return _form_page(request, form, _("Record evidence of delivery"), ledger.get_absolute_url(),
                      caption=ledger.title)  # fmt: skip


@role_required(*REPORTERS)
def study_new(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(request.user, pk)
    if not services.may_report(request.user, ledger):
        raise Http404("Page not found")
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        study = _attempt(form, lambda: services.study_create(ledger=ledger, by=request.user,
                                                             **form.cleaned_data))  # fmt: skip
        if study is not None:
            return redirect("allocation:sv_study", pk=study.pk)
    return _form_page(request, form, _("Start a wellbeing study"), ledger.get_absolute_url(),
                      caption=ledger.title)  # fmt: skip


@require_GET
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_study_for_user(request.user, pk)
    reporter = services.may_report(request.user, study.ledger)
    context = {
        "study": study,
        "result": study_result(study),
        "question": QUESTION,
        "may_report": reporter,
        "link": request.build_absolute_uri(
            reverse("allocation:sv_answer_link", args=[study.token])
        ) if reporter else "",
    }  # fmt: skip
    return render(request, "allocation/social_value/study.html", context)


@role_required(*REPORTERS)
def answer_add(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_study_for_user(request.user, pk)
    if not services.may_report(request.user, study.ledger):
        raise Http404("Page not found")
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = _attempt(form, lambda: services.answer_record(study=study, by=request.user,
                                                               **form.cleaned_data))  # fmt: skip
        if answer is not None:
            return redirect("allocation:sv_study", pk=study.pk)
    back = reverse("allocation:sv_study", args=[study.pk])
    return _form_page(request, form, _("Enter an answer"), back, caption=study.title)


def answer_link(request: HttpRequest, token: Any) -> HttpResponse:
    """A participant's own answer through the study's link: no account, the link decides."""
    study = get_object_or_404(WellbeingStudy, token=token)
    form = LinkAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        answer = _attempt(form, lambda: services.answer_record(
            study=study, by=user, via_link=True, **form.cleaned_data  # type: ignore[arg-type]
        ))  # fmt: skip
        if answer is not None:
            return render(request, "allocation/social_value/thanks.html", {"study": study})
    return _form_page(request, form, _("How you feel about your life"), "", caption=study.title)
