"""Value tables, opportunities and lots, clarifications, saved searches and their alerts."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.commissioning import access, sealing
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    AlertSent,
    Clarification,
    CommissioningPlan,
    Lot,
    Opportunity,
    OpportunityKey,
    OpportunityStatus,
    PriceFormula,
    Procedure,
    QualityQuestion,
    Reservation,
    SavedSearch,
    SocialValueMeasure,
    TieBreak,
    ValueTable,
)
from opus.commissioning.services.common import (
    clock,
    light_touch_threshold_pence,
    max_contract_pence,
    whole_pence,
)
from opus.core.audit import audit_record
from opus.core.models import Organisation, User
from opus.engines import procurement, wellbeing
from opus.engines.money import pounds
from opus.notifications.services import notify

VALUE_TABLE_COLUMNS = ("code", "theme", "name", "unit", "value_per_unit")
DEFAULT_DECLARATION = (
    "We declare that we are not in any of the situations that would exclude us from public "
    "contracts (convictions for fraud, corruption or similar offences; unpaid taxes; "
    "insolvency), that we hold the insurance this contract needs, and that what we say in "
    "this bid is true."
)


# ---------------------------------------------------------------- value tables


def _pence(text: str, row: int) -> int:
    try:
        value = Decimal(text.strip().lstrip("£").replace(",", ""))
    except InvalidOperation as exc:
        raise CommissioningError(f"Row {row}: value_per_unit must be a number", "file") from exc
    if not value.is_finite() or value < 0:
        raise CommissioningError(f"Row {row}: value_per_unit cannot be negative", "file")
    if value * 100 > max_contract_pence():
        raise CommissioningError(
            _("Row %(row)s: value_per_unit can be at most %(maximum)s")
            % {"row": row, "maximum": pounds(max_contract_pence())},
            "file",
        )
    return int((value * 100).to_integral_value())


def parse_value_table(content: bytes) -> list[dict[str, Any]]:
    """Check the whole CSV (code, theme, name, unit, value_per_unit in pounds) or raise."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommissioningError("The file must be UTF-8 text (CSV)", "file") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in VALUE_TABLE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CommissioningError(f"The file has no column {', '.join(missing)}", "file")
    rows, codes = [], set()
    for n, raw in enumerate(reader, start=2):
        row = {k: (raw.get(k) or "").strip() for k in VALUE_TABLE_COLUMNS}
        blank = [k for k in ("code", "name", "unit") if not row[k]]
        if blank:
            raise CommissioningError(f"Row {n}: {blank[0]} is empty", "file")
        if row["code"] in codes:
            raise CommissioningError(f"Row {n}: code {row['code']} appears twice", "file")
        codes.add(row["code"])
        rows.append({**row, "value_pence": _pence(row["value_per_unit"], n)})
    if not rows:
        raise CommissioningError("The file has no measures", "file")
    return rows


@transaction.atomic
def value_table_load(
    *,
    owner: Organisation,
    name: str,
    source: str,
    content: bytes,
    licence: str = "",
    price_year: str = "",
    illustrative: bool = False,
    by: User | None,
) -> ValueTable:
    access.require_staff(by)
    rows = parse_value_table(content)
    if not source.strip():
        raise CommissioningError("Say where the values come from", "source")
    table = ValueTable.objects.create(
        name=name.strip() or "Value table", owner=owner, source=source.strip(), licence=licence,
        price_year=price_year, illustrative=illustrative, uploaded_by=by,
        file_sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip
    SocialValueMeasure.objects.bulk_create(
        SocialValueMeasure(table=table, code=r["code"], theme=r["theme"][:60], name=r["name"][:200],
                           unit=r["unit"][:60], value_pence=r["value_pence"])
        for r in rows
    )  # fmt: skip
    audit_record(
        actor=by,
        action="value_table.load",
        target=table,
        summary={"measures": len(rows), "sha256": table.file_sha256, "source": table.source},
    )
    return table


# ---------------------------------------------------------------- opportunities


def _check_timetable(fields: dict[str, Any], now: datetime) -> None:
    deadline, clarify = fields["submission_deadline"], fields["clarification_deadline"]
    for name in ("submission_deadline", "clarification_deadline"):
        if not isinstance(fields[name], datetime) or fields[name].tzinfo is None:
            raise CommissioningError("Give a date and time", name)
    if deadline <= now:
        raise CommissioningError(
            "The submission deadline must be in the future", "submission_deadline"
        )
    if not now < clarify <= deadline:
        raise CommissioningError(
            "The clarification deadline must be in the future and before the submission deadline",
            "clarification_deadline",
        )
    start, end = fields["contract_start"], fields["contract_end"]
    if start <= deadline.date():
        raise CommissioningError(
            "The contract must start after the submission deadline", "contract_start"
        )
    if end <= start:
        raise CommissioningError("The contract must end after it starts", "contract_end")
    if not 1 <= fields.get("standstill_days", 8) <= 30:
        raise CommissioningError("Standstill is between 1 and 30 working days", "standstill_days")


def _check_criteria(fields: dict[str, Any], questions: list[dict[str, Any]]) -> None:
    error = procurement.weights_error(
        fields["price_weight"], fields["quality_weight"], fields["social_value_weight"]
    )
    if error:
        raise CommissioningError(error, "price_weight")
    if fields.get("price_formula", PriceFormula.LOWEST_RATIO) not in PriceFormula.values:
        raise CommissioningError("Choose a price formula", "price_formula")
    if fields.get("tie_break", TieBreak.QUALITY_THEN_PRICE) not in TieBreak.values:
        raise CommissioningError("Choose a tie-break rule", "tie_break")
    if not 1 <= fields.get("abnormally_low_percent", 70) <= 100:
        raise CommissioningError("The abnormally low line is 1 to 100%", "abnormally_low_percent")
    if fields["quality_weight"] and not questions:
        raise CommissioningError("Add the quality questions", "questions")
    total = sum(int(q.get("weight", 0)) for q in questions)
    if questions and total != fields["quality_weight"]:
        raise CommissioningError(
            f"The questions' weights add up to {total}, not the quality weight "
            f"{fields['quality_weight']}",
            "questions",
        )
    for q in questions:
        if not str(q.get("text", "")).strip() or int(q.get("weight", 0)) <= 0:
            raise CommissioningError(
                "Each question needs its text and a weight over 0", "questions"
            )
    if fields["social_value_weight"] and fields.get("value_table") is None:
        raise CommissioningError("Choose the social value table bids are scored by", "value_table")


def _check_lots(lots: list[dict[str, Any]], value_pence: int, procedure: str) -> None:
    if not lots:
        raise CommissioningError("Add at least one lot", "lots")
    for lot in lots:
        if not str(lot.get("title", "")).strip():
            raise CommissioningError("Each lot needs a title", "lots")
        whole_pence(lot.get("value_pence", 0), "lots", _("Each lot's value"))
    if sum(int(lot["value_pence"]) for lot in lots) != value_pence:
        raise CommissioningError(
            "The lots' values must add up to the opportunity's value", "value_pence"
        )
    error = procurement.procedure_error(procedure, value_pence, light_touch_threshold_pence())
    if error:
        raise CommissioningError(error, "procedure")


OPPORTUNITY_FIELDS = (
    "reference", "description", "area", "procedure", "reservation", "reservation_reason",
    "supplier_declaration", "clarification_deadline", "submission_deadline", "evaluation_by",
    "award_by", "standstill_days", "contract_start", "contract_end", "price_weight",
    "quality_weight", "social_value_weight", "price_formula", "abnormally_low_percent",
    "tie_break", "value_table",
)  # fmt: skip


@transaction.atomic
def opportunity_create(
    *,
    buyer: Organisation,
    title: str,
    value_pence: int,
    lots: list[dict[str, Any]],
    questions: list[dict[str, Any]],
    plan: CommissioningPlan | None = None,
    decisions: list[Any] | None = None,
    by: User | None,
    now: datetime | None = None,
    **fields: Any,
) -> Opportunity:
    """A draft opportunity with its lots, questions and sealing key, every part checked."""
    access.require_staff(by)
    now = clock(now)
    unknown = set(fields) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields {sorted(unknown)}")
    if not title.strip():
        raise CommissioningError("Enter a title", "title")
    if not str(fields.get("description", "")).strip():
        raise CommissioningError("Describe what is being bought", "description")
    value_pence = whole_pence(value_pence, "value_pence", _("The value"))
    procedure = fields.get("procedure", "")
    if procedure not in Procedure.values:
        raise CommissioningError("Choose a procedure", "procedure")
    if fields.get("reservation", "") not in Reservation.values:
        raise CommissioningError("Choose who may bid", "reservation")
    if fields.get("reservation") and not str(fields.get("reservation_reason", "")).strip():
        raise CommissioningError("Say which rule allows the reservation", "reservation_reason")
    _check_timetable(fields, now)
    _check_criteria(fields, questions)
    _check_lots(lots, value_pence, procedure)
    if procedure == Procedure.LIGHT_TOUCH and not fields.get("supplier_declaration"):
        fields["supplier_declaration"] = DEFAULT_DECLARATION
    opportunity = Opportunity.objects.create(
        buyer=buyer, title=title.strip(), value_pence=value_pence, plan=plan, created_by=by,
        created_at=now, **fields,
    )  # fmt: skip
    if decisions:
        opportunity.decisions.set(decisions)
    Lot.objects.bulk_create(
        Lot(opportunity=opportunity, number=i, title=lot["title"].strip(),
            description=lot.get("description", ""), value_pence=int(lot["value_pence"]),
            area=lot.get("area"))
        for i, lot in enumerate(lots, start=1)
    )  # fmt: skip
    QualityQuestion.objects.bulk_create(
        QualityQuestion(opportunity=opportunity, number=i, text=q["text"].strip(),
                        weight=int(q["weight"]), max_score=int(q.get("max_score", 5)),
                        word_limit=int(q.get("word_limit", 750)))
        for i, q in enumerate(questions, start=1)
    )  # fmt: skip
    pair = sealing.new_key_pair(opportunity.ocid)
    OpportunityKey.objects.create(
        opportunity=opportunity, public_key=pair.public_key,
        wrapped_private_key=pair.wrapped_private_key, wrap_nonce=pair.wrap_nonce,
        algorithm=sealing.ALGORITHM,
    )  # fmt: skip
    audit_record(
        actor=by,
        action="opportunity.create",
        target=opportunity,
        summary={"ocid": opportunity.ocid, "value_pence": value_pence, "procedure": procedure,
                 "lots": len(lots), "deadline": fields["submission_deadline"]},
    )  # fmt: skip
    return opportunity


def _check_social_value_minimum(opportunity: Opportunity) -> None:
    """Issue 16: no tender goes out with social value weighted under the council's minimum."""
    error = wellbeing.tender_weight_error(
        opportunity.quality_weight,
        opportunity.social_value_weight,
        getattr(settings, "OPUS_SOCIAL_VALUE_MIN_WEIGHT", 10),
        per_quality_point=opportunity.price_formula == "price_per_quality_point",
    )
    if error:
        raise CommissioningError(error, "social_value_weight")


@transaction.atomic
def opportunity_publish(
    *, opportunity: Opportunity, by: User | None, now: datetime | None = None
) -> Opportunity:
    access.require_staff(by)
    now = clock(now)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != OpportunityStatus.DRAFT:
        raise CommissioningError("Only a draft can be published", "status")
    if opportunity.submission_deadline <= now:
        raise CommissioningError(
            "The submission deadline has passed: change it before publishing", "submission_deadline"
        )
    _check_social_value_minimum(opportunity)
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.published_at = now
    opportunity.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=by, action="opportunity.publish", target=opportunity, summary={"at": now})
    from opus.commissioning.tasks import send_opportunity_alerts

    send_opportunity_alerts.enqueue(opportunity_id=opportunity.pk)
    return opportunity


def lot_advice_for(lot: Lot) -> procurement.LotAdvice:
    opportunity = lot.opportunity
    years = max((opportunity.contract_end - opportunity.contract_start).days, 1) / 365.25
    areas = 1 if lot.area_id else 6
    return procurement.lot_advice(lot.value_pence, years, areas=areas)


# ---------------------------------------------------------------- clarifications


@transaction.atomic
def clarification_ask(
    *,
    opportunity: Opportunity,
    question: str,
    organisation: Organisation | None,
    by: User,
    now: datetime | None = None,
) -> Clarification:
    if organisation is not None:
        access.require_provider_of(by, organisation)
    now = clock(now)
    if not opportunity.is_public or opportunity.status == OpportunityStatus.CANCELLED:
        raise CommissioningError("This opportunity is not open", "opportunity")
    if now >= opportunity.clarification_deadline:
        raise CommissioningError("The deadline for questions has passed", "question")
    if not question.strip():
        raise CommissioningError("Enter your question", "question")
    if len(question) > 2000:
        raise CommissioningError("Keep your question under 2,000 characters", "question")
    clarification = Clarification.objects.create(
        opportunity=opportunity, question=question.strip(), asked_by=by, asked_for=organisation,
        asked_at=now,
    )  # fmt: skip
    audit_record(actor=by, action="clarification.ask", target=clarification,
                 summary={"opportunity": opportunity.pk})  # fmt: skip
    return clarification


@transaction.atomic
def clarification_answer(
    *, clarification: Clarification, answer: str, by: User, now: datetime | None = None
) -> Clarification:
    """Publish the answer to everyone; the asker is never named."""
    access.require_staff(by)
    if not answer.strip():
        raise CommissioningError("Enter the answer", "answer")
    clarification.answer = answer.strip()
    clarification.answered_at = clock(now)
    clarification.answered_by = by
    clarification.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    audit_record(actor=by, action="clarification.answer", target=clarification,
                 summary={"opportunity": clarification.opportunity_id})  # fmt: skip
    from opus.notifications import events as notices

    notices.clarification_answered(clarification)
    return clarification


# ---------------------------------------------------------------- saved searches and alerts

FILTER_KEYS = ("q", "need", "area", "procedure", "min_value", "max_value", "closing_before")


def clean_filters(filters: dict[str, Any]) -> dict[str, str]:
    """Only the known filters, as strings, blanks left out."""
    cleaned = {k: str(filters[k]).strip() for k in FILTER_KEYS if filters.get(k) not in (None, "")}
    for key in ("min_value", "max_value"):
        if key in cleaned and not cleaned[key].isdigit():
            raise CommissioningError("Give a whole number of pounds", key)
    if "procedure" in cleaned and cleaned["procedure"] not in Procedure.values:
        raise CommissioningError("Choose a procedure", "procedure")
    if "closing_before" in cleaned:
        try:
            date.fromisoformat(cleaned["closing_before"])
        except ValueError as exc:
            raise CommissioningError("Give a date as YYYY-MM-DD", "closing_before") from exc
    return cleaned


@transaction.atomic
def saved_search_create(
    *, user: User, name: str, filters: dict[str, Any], alerts: bool = True
) -> SavedSearch:
    cleaned = clean_filters(filters)
    if not name.strip():
        raise CommissioningError("Name your search", "name")
    search = SavedSearch.objects.create(user=user, name=name.strip()[:100], filters=cleaned,
                                        alerts=alerts)  # fmt: skip
    audit_record(actor=user, action="saved_search.create", target=search,
                 summary={"filters": cleaned, "alerts": alerts})  # fmt: skip
    return search


@transaction.atomic
def saved_search_delete(*, search: SavedSearch, by: User) -> None:
    if by is not None and by.pk != search.user_id:
        raise PermissionDenied("Only its owner deletes a saved search")
    audit_record(actor=by, action="saved_search.delete", target=search, summary={})
    search.delete()


def alerts_send(*, opportunity_id: int) -> int:
    """E-mail each saved search that the newly published opportunity matches, once."""
    from opus.commissioning.search import search_opportunities

    opportunity = Opportunity.objects.get(pk=opportunity_id)
    link = (
        f"{settings.SITE_URL}{reverse('commissioning:opportunity_detail', args=[opportunity.pk])}"
    )
    sent = 0
    for search in SavedSearch.objects.filter(alerts=True).select_related("user"):
        if not search_opportunities(search.filters).filter(pk=opportunity.pk).exists():
            continue
        with transaction.atomic():
            _, created = AlertSent.objects.get_or_create(
                saved_search=search, opportunity=opportunity
            )
            if not created:
                continue
            context = {
                "search": search.name, "title": opportunity.title, "link": link,
                "value": pounds(opportunity.value_pence),
                "closes": f"{timezone.localtime(opportunity.submission_deadline):%d %B %Y %H:%M}",
            }  # fmt: skip
            notify(recipient=search.user, template="opportunity_alert", context=context,
                   event="opportunity.publish", target=opportunity)  # fmt: skip
            SavedSearch.objects.filter(pk=search.pk).update(
                last_alerted_at=opportunity.published_at
            )
        sent += 1
    return sent
