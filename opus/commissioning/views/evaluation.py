"""The evaluation page: declarations, each evaluator's own scores, moderation, results, award.

Evaluators see only their own scores until every evaluator has handed in; then the
moderator sees them side by side and records the agreed scores with reasons.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opus.commissioning import access, services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.forms import (
    AwardForm,
    DeclareForm,
    ModerateForm,
    PanelAddForm,
    ScoreForm,
)
from opus.commissioning.models import (
    Award,
    Bid,
    BidDocument,
    BidLot,
    ModeratedScore,
    OpeningResult,
    Opportunity,
    Score,
)
from opus.commissioning.views.public import lot_rankings
from opus.core.check_answers import check_answers_page, confirmed
from opus.core.check_answers import row as answer_row
from opus.core.models import Role
from opus.core.roles import has_role, role_required
from opus.engines import procurement
from opus.engines.money import pounds

VIEWERS = (Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR)


def _opened(opportunity: Opportunity) -> list[Bid]:
    return list(
        opportunity.bids.filter(opening_result=OpeningResult.VERIFIED)
        .select_related("bidder", "consortium")
        .prefetch_related(
            "answers__question",
            "commitments__measure",
            "lot_prices__lot",
            Prefetch("documents", BidDocument.objects.defer("data")),
        )
    )


def _all_scores(opportunity: Opportunity) -> dict[tuple[int, int], list[Score]]:
    grouped: dict[tuple[int, int], list[Score]] = {}
    for s in Score.objects.filter(bid__opportunity=opportunity).select_related("member__user"):
        grouped.setdefault((s.bid_id, s.question_id), []).append(s)
    return grouped


def _context(request: HttpRequest, opportunity: Opportunity, **extra: Any) -> dict[str, Any]:
    member = access.panel_member(request.user, opportunity)
    visible = access.may_see_opened_bids(request.user, opportunity)
    bids = _opened(opportunity) if visible else []
    questions = list(opportunity.questions.all())
    ready = services.moderation_ready(opportunity)
    own = {}
    if member is not None:
        own = {(s.bid_id, s.question_id): s for s in member.scores.all()}
    all_scores = _all_scores(opportunity) if ready and visible else {}
    moderated = {(m.bid_id, m.question_id): m for m in ModeratedScore.objects.filter(bid__in=bids)}
    grid = [
        {
            "bid": b,
            "rows": [
                {
                    "question": q,
                    "answer": next((a.text for a in b.answers.all() if a.question_id == q.pk), ""),
                    "own": own.get((b.pk, q.pk)),
                    "all": all_scores.get((b.pk, q.pk), []),
                    "spread": procurement.moderation_spread(
                        [s.score for s in all_scores.get((b.pk, q.pk), [])]
                    ),
                    "agreed": moderated.get((b.pk, q.pk)),
                }
                for q in questions
            ],
        }
        for b in bids
    ]
    return {
        "page_title": f"Evaluation — {opportunity.title}",
        "opportunity": opportunity,
        "member": member,
        "is_staff": access.is_commissioner(request.user),
        "is_moderator": member is not None and member.is_moderator,
        "visible": visible,
        "grid": grid,
        "ready": ready,
        "panel": opportunity.panel.select_related("user"),
        "panel_too_small": services.panel_too_small(opportunity),
        "rankings": lot_rankings(opportunity) if visible else [],
        "awards": Award.objects.filter(lot__opportunity=opportunity).select_related(
            "lot", "bid__bidder"
        ),
        "failed": opportunity.bids.exclude(
            opening_result__in=["", OpeningResult.VERIFIED]
        ).select_related("bidder", "consortium"),
        "declare_form": DeclareForm(),
        "panel_form": PanelAddForm(),
        **extra,
    }


@role_required(*VIEWERS)
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_user(request.user, pk)
    if has_role(request.user, Role.AUDITOR) and not access.is_commissioner(request.user):
        if opportunity.opened_at is None:
            raise Http404("Nothing has been opened")
    return render(request, "commissioning/evaluation.html", _context(request, opportunity))


# Served as their own type only when a browser would not run them; any other is a download.
DOCUMENT_TYPES = {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
    "text/csv",
    "image/png",
    "image/jpeg",
}


@role_required(*VIEWERS)
@require_GET
def bid_document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """A bid's supporting document, for those who may see the opened bids (never before the
    opening: until then it is sealed in the envelope and there is no row to serve)."""
    opportunity = access.get_opportunity_for_user(request.user, pk)
    if not access.may_see_opened_bids(request.user, opportunity):
        raise Http404("Bids are sealed")
    document = get_object_or_404(
        BidDocument,
        pk=document_id,
        bid__opportunity=opportunity,
        bid__opening_result=OpeningResult.VERIFIED,
    )
    kind = document.content_type if document.content_type in DOCUMENT_TYPES else ""
    response = HttpResponse(bytes(document.data), content_type=kind or "application/octet-stream")
    name = get_valid_filename(document.name) or "document"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _fail(
    request: HttpRequest, opportunity: Opportunity, form: Any, exc: Any = None
) -> HttpResponse:
    if exc is not None:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    context = _context(request, opportunity, form=form)
    return render(request, "commissioning/evaluation.html", context, status=400)


def _staff_opportunity(request: HttpRequest, pk: int) -> Opportunity:
    return access.get_opportunity_for_editing(request.user, pk)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def panel_add(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    form = PanelAddForm(request.POST)
    if not form.is_valid():
        return _fail(request, opportunity, form)
    try:
        services.panel_add(opportunity=opportunity, by=request.user, **form.cleaned_data)
    except CommissioningError as exc:
        return _fail(request, opportunity, form, exc)
    return redirect("commissioning:evaluation", opportunity.pk)


def _member(request: HttpRequest, opportunity: Opportunity) -> Any:
    member = access.panel_member(request.user, opportunity)
    if member is None:
        raise Http404("You are not on this panel")
    return member


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    member = _member(request, opportunity)
    form = DeclareForm(request.POST)
    if not form.is_valid():
        return _fail(request, opportunity, form)
    try:
        services.conflict_declare(
            member=member,
            by=request.user,
            has_conflict=form.cleaned_data["has_conflict"],
            details=form.cleaned_data["conflict_details"],
        )
    except CommissioningError as exc:
        return _fail(request, opportunity, form, exc)
    return redirect("commissioning:evaluation", opportunity.pk)


def _bid_and_question(opportunity: Opportunity, form: Any) -> tuple[Bid, Any]:
    bid = get_object_or_404(Bid, uuid=form.cleaned_data["bid"], opportunity=opportunity)
    question = get_object_or_404(opportunity.questions, number=form.cleaned_data["question"])
    return bid, question


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    member = _member(request, opportunity)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        return _fail(request, opportunity, form)
    bid, question = _bid_and_question(opportunity, form)
    try:
        services.score_record(
            member=member,
            bid=bid,
            question=question,
            by=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except CommissioningError as exc:
        return _fail(request, opportunity, form, exc)
    return redirect(f"{reverse('commissioning:evaluation', args=[opportunity.pk])}#bid-{bid.uuid}")


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def scores_submit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    member = _member(request, opportunity)
    try:
        services.scores_submit(member=member, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your scores are handed in")
    return redirect("commissioning:evaluation", opportunity.pk)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    if not _member(request, opportunity).is_moderator:
        raise Http404("Only the panel's moderator records agreed scores")
    form = ModerateForm(request.POST)
    if not form.is_valid():
        return _fail(request, opportunity, form)
    bid, question = _bid_and_question(opportunity, form)
    try:
        services.moderation_agree(
            bid=bid,
            question=question,
            by=request.user,
            score=form.cleaned_data["score"],
            reason=form.cleaned_data["reason"],
        )
    except CommissioningError as exc:
        return _fail(request, opportunity, form, exc)
    return redirect("commissioning:evaluation", opportunity.pk)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def evaluation_compute(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    try:
        services.evaluation_compute(opportunity=opportunity, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Scores worked out by the published criteria")
    return redirect("commissioning:evaluation", opportunity.pk)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def award_decide(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _staff_opportunity(request, pk)
    form = AwardForm(request.POST)
    if not form.is_valid():
        return _fail(request, opportunity, form)
    row = get_object_or_404(
        BidLot.objects.select_related("lot", "bid"),
        pk=form.cleaned_data["bid_lot"],
        lot__opportunity=opportunity,
    )
    if not confirmed(request):
        return _check_award(request, opportunity, row, form.cleaned_data["reasons"])
    try:
        services.award_decide(
            lot=row.lot, bid_lot=row, reasons=form.cleaned_data["reasons"], by=request.user
        )
    except CommissioningError as exc:
        return _fail(request, opportunity, form, exc)
    messages.success(request, "Award decided: every bidder has been told; standstill has begun")
    return redirect("commissioning:evaluation", opportunity.pk)


def _check_award(
    request: HttpRequest, opportunity: Opportunity, row: BidLot, reasons: str
) -> HttpResponse:
    back = reverse("commissioning:evaluation", args=[opportunity.pk])
    score = row.total_score if row.total_score is not None else "—"
    rows = [
        answer_row(_("Lot"), f"{row.lot.number}. {row.lot.title}"),
        answer_row(_("Awarded to"), row.bid.bidder.name, back, _("who the lot is awarded to")),
        answer_row(_("Price"), pounds(row.price_pence)),
        answer_row(_("Score and rank"), _("%(score)s out of 100, ranked %(rank)s") % {
            "score": score, "rank": row.rank or "—"}),
        answer_row(_("Reasons"), reasons, back, _("the reasons")),
    ]  # fmt: skip
    return check_answers_page(
        request,
        caption=opportunity.title,
        heading=_("Check the award before you make it"),
        rows=rows,
        warning=_(
            "Every bidder for this lot is told the result straight away and the standstill "
            "period begins. An award can only be reversed with a recorded reason."
        ),
        action=reverse("commissioning:award_decide", args=[opportunity.pk]),
        hidden=[("bid_lot", row.pk), ("reasons", reasons)],
        button=_("Confirm and award the lot"),
        back_url=back,
    )
