"""Consortia, sealed bids (submit, replace, withdraw) and the audited opening."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.commissioning import access, sealing
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidLot,
    BidStatus,
    Consortium,
    ConsortiumMember,
    MemberStatus,
    OpeningResult,
    Opportunity,
    OpportunityKey,
    OpportunityStatus,
    Reservation,
    SealedContent,
    SocialValueCommitment,
)
from opus.commissioning.services.common import clock, whole_pence
from opus.core.audit import audit_record
from opus.core.models import Organisation, OrganisationKind, User
from opus.core.organisations import require_verified
from opus.engines import procurement
from opus.engines.money import times

MAX_DOCUMENTS_BYTES = 10 * 1024 * 1024
MAX_UNITS = 10**9  # of one social-value measure in one bid
STORABLE = 2**63  # amounts in pence are kept in signed 64-bit columns: below this
VCSE_SME_KINDS = {
    OrganisationKind.CHARITY, OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE, OrganisationKind.MUTUAL, OrganisationKind.SME,
}  # fmt: skip
RESERVED_KINDS = {
    Reservation.VCSE_SME: VCSE_SME_KINDS,
    Reservation.MUTUAL: {OrganisationKind.MUTUAL, OrganisationKind.SOCIAL_ENTERPRISE},
}


def _require_verified(organisation: Organisation, field: str) -> None:
    """A self-registered organisation bids only once verified (opus.core.organisations)."""
    try:
        require_verified(organisation, field=field)
    except ValidationError as exc:
        raise CommissioningError(" ".join(exc.messages), field) from exc


def _check_open(opportunity: Opportunity, now: datetime, field: str = "opportunity") -> None:
    if opportunity.status != OpportunityStatus.PUBLISHED:
        raise CommissioningError("This opportunity is not open for bids", field)
    if now >= opportunity.submission_deadline:
        deadline = timezone.localtime(opportunity.submission_deadline)
        raise CommissioningError(
            f"The deadline passed at {deadline:%H:%M:%S on %d %B %Y}: no bid can be accepted",
            "submission_deadline",
        )


# ---------------------------------------------------------------- consortia


def _check_shares(work_share: int, value_share: int) -> None:
    for name, share in (("work_share", work_share), ("value_share", value_share)):
        if not 0 < share <= 100:
            raise CommissioningError("A share is a percentage over 0 and up to 100", name)


@transaction.atomic
def consortium_create(
    *,
    opportunity: Opportunity,
    name: str,
    lead: Organisation,
    work: str,
    work_share: int,
    value_share: int,
    by: User,
    now: datetime | None = None,
) -> Consortium:
    access.require_provider_of(by, lead)
    now = clock(now)
    _check_open(opportunity, now)
    _require_verified(lead, "lead")
    if not name.strip():
        raise CommissioningError("Name the consortium", "name")
    _check_shares(work_share, value_share)
    if Consortium.objects.filter(opportunity=opportunity, lead=lead).exists():
        raise CommissioningError("You already lead a consortium for this opportunity", "name")
    consortium = Consortium.objects.create(
        opportunity=opportunity, name=name.strip(), lead=lead, created_by=by, created_at=now
    )
    ConsortiumMember.objects.create(
        consortium=consortium, organisation=lead, is_lead=True, work=work, work_share=work_share,
        value_share=value_share, status=MemberStatus.CONFIRMED, invited_at=now,
        responded_at=now, responded_by=by,
    )  # fmt: skip
    _audit_sealed("consortium.create", consortium, {"opportunity": opportunity.pk})
    return consortium


@transaction.atomic
def consortium_invite(
    *,
    consortium: Consortium,
    organisation: Organisation,
    work: str,
    work_share: int,
    value_share: int,
    by: User,
    now: datetime | None = None,
) -> ConsortiumMember:
    access.require_provider_of(by, consortium.lead)
    now = clock(now)
    _check_open(consortium.opportunity, now)
    _check_shares(work_share, value_share)
    if organisation.is_public_body:
        raise CommissioningError("Invite a provider, not a public body", "organisation")
    if consortium.members.filter(organisation=organisation).exists():
        raise CommissioningError("That organisation is already in the consortium", "organisation")
    member = ConsortiumMember.objects.create(
        consortium=consortium, organisation=organisation, work=work, work_share=work_share,
        value_share=value_share, invited_at=now,
    )  # fmt: skip
    _audit_sealed("consortium.invite", member, {"consortium": consortium.pk,
                  "work_share": work_share, "value_share": value_share})  # fmt: skip
    from opus.notifications import events as notices  # only the invitee is told (sealed)

    notices.consortium_invitation(member, by)
    return member


@transaction.atomic
def consortium_respond(
    *, member: ConsortiumMember, confirm: bool, by: User, now: datetime | None = None
) -> ConsortiumMember:
    access.require_provider_of(by, member.organisation)
    now = clock(now)
    if member.status != MemberStatus.INVITED:
        raise CommissioningError("This invitation has already been answered", "confirm")
    member.status = MemberStatus.CONFIRMED if confirm else MemberStatus.DECLINED
    member.responded_at, member.responded_by = now, by
    member.save(update_fields=["status", "responded_at", "responded_by", "updated_at"])
    _audit_sealed(f"consortium.{'confirm' if confirm else 'decline'}", member,
                  {"consortium": member.consortium_id})  # fmt: skip
    return member


def consortium_problems(consortium: Consortium) -> list[str]:
    """Why the consortium cannot bid yet (empty when it can)."""
    members = [m for m in consortium.members.select_related("organisation")
               if m.status != MemberStatus.DECLINED]  # fmt: skip
    problems = [f"{m.organisation.name} has not confirmed" for m in members if not m.is_confirmed]
    if len(members) < 2:
        problems.append("A consortium needs at least two members")
    for label, key in (("work", "work_share"), ("value", "value_share")):
        total = sum(getattr(m, key) for m in members)
        if total != 100:
            problems.append(f"The shares of the {label} add up to {total}%, not 100%")
    return problems


# ---------------------------------------------------------------- bids


def _bidders(bidder: Organisation, consortium: Consortium | None) -> list[Organisation]:
    if consortium is None:
        return [bidder]
    return [m.organisation for m in consortium.members.select_related("organisation")
            if m.status == MemberStatus.CONFIRMED]  # fmt: skip


def _prices(opportunity: Opportunity, lots: list[dict[str, Any]]) -> list[dict[str, int]]:
    numbers = set(opportunity.lots.values_list("number", flat=True))
    if not lots:
        raise CommissioningError(_("Bid for at least one lot"), "lots")
    seen, prices = set(), []
    for item in lots:
        try:
            number = int(item.get("lot", 0))
        except (TypeError, ValueError, OverflowError):
            number = 0
        if number not in numbers or number in seen:
            raise CommissioningError(f"There is no lot {number} to bid for", "lots")
        seen.add(number)
        price = whole_pence(
            item.get("price_pence"), f"lots.{number}.price_pence",
            _("The price for lot %(number)s") % {"number": number},
        )  # fmt: skip
        prices.append({"lot": number, "price_pence": price})
    return sorted(prices, key=lambda p: p["lot"])


def _answers(opportunity: Opportunity, answers: dict[Any, str]) -> dict[str, str]:
    result = {}
    for question in opportunity.questions.all():
        text = str(answers.get(question.number) or answers.get(str(question.number)) or "").strip()
        if not text:
            raise CommissioningError(
                f"Answer question {question.number}", f"answers.{question.number}"
            )
        if len(text.split()) > question.word_limit:
            raise CommissioningError(
                f"Answer {question.number} is over {question.word_limit} words",
                f"answers.{question.number}",
            )
        result[str(question.number)] = text
    return result


def _commitments(opportunity: Opportunity, items: list[dict[str, Any]]) -> list[dict[str, str]]:
    if not items:
        return []
    if opportunity.value_table_id is None:
        raise CommissioningError("This opportunity does not score social value", "social_value")
    codes = set(opportunity.value_table.measures.values_list("code", flat=True))
    result = []
    for item in items:
        code = str(item.get("measure", ""))
        if code not in codes:
            raise CommissioningError(f"There is no measure {code!r} in the table", "social_value")
        try:
            quantity = Decimal(str(item.get("quantity")))
        except InvalidOperation as exc:
            raise CommissioningError(f"Give a number of units for {code}", "social_value") from exc
        if not quantity.is_finite() or quantity < 0:
            raise CommissioningError(f"The units for {code} must be 0 or more", "social_value")
        if quantity > MAX_UNITS or quantity.as_tuple().exponent < -2:  # type: ignore[operator]
            raise CommissioningError(
                _("The units for %(code)s must be at most %(max)s, with at most 2 decimal places")
                % {"code": code, "max": f"{MAX_UNITS:,}"},
                "social_value",
            )
        if quantity:
            result.append({"measure": code, "quantity": str(quantity)})
    return result


def _documents(documents: list[dict[str, Any]]) -> list[dict[str, str]]:
    if any(not isinstance(d.get("data"), bytes) for d in documents):
        raise CommissioningError(_("Send each document's content"), "documents")
    total = sum(len(d["data"]) for d in documents)
    if total > MAX_DOCUMENTS_BYTES:
        raise CommissioningError(_("Documents may add up to 10 MB at most"), "documents")
    return [
        {"name": str(d["name"])[:200], "content_type": str(d.get("content_type", ""))[:100],
         "sha256": hashlib.sha256(d["data"]).hexdigest(),
         "data": base64.b64encode(d["data"]).decode()}
        for d in documents
    ]  # fmt: skip


def _check_bidder(opportunity: Opportunity, bidder: Organisation, consortium: Any) -> None:
    if bidder.is_public_body:
        raise CommissioningError("Public bodies do not bid here", "bidder")
    _require_verified(bidder, "bidder")
    if consortium is not None:
        if consortium.opportunity_id != opportunity.pk or consortium.lead_id != bidder.pk:
            raise CommissioningError("Only the consortium's lead bids for it", "consortium")
        problems = consortium_problems(consortium)
        if problems:
            raise CommissioningError("; ".join(problems), "consortium")
    allowed = RESERVED_KINDS.get(opportunity.reservation)  # type: ignore[call-overload]
    if allowed and any(o.kind not in allowed for o in _bidders(bidder, consortium)):
        raise CommissioningError(
            f"This opportunity is {Reservation(opportunity.reservation).label.lower()}", "bidder"
        )


@transaction.atomic
def bid_submit(
    *,
    opportunity: Opportunity,
    bidder: Organisation,
    lots: list[dict[str, Any]],
    answers: dict[Any, str],
    social_value: list[dict[str, Any]] | None = None,
    documents: list[dict[str, Any]] | None = None,
    declaration: bool = False,
    consortium: Consortium | None = None,
    by: User,
    now: datetime | None = None,
) -> Bid:
    """Seal and store a bid (replacing the bidder's earlier one); refused at the deadline."""
    access.require_provider_of(by, bidder)
    now = clock(now)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _check_open(opportunity, now)
    _check_bidder(opportunity, bidder, consortium)
    if opportunity.supplier_declaration and not declaration:
        raise CommissioningError("Make the supplier declaration", "declaration")
    bid = Bid(opportunity=opportunity, bidder=bidder, consortium=consortium, submitted_by=by,
              submitted_at=now)  # fmt: skip
    content = {
        "ocid": opportunity.ocid, "bid": str(bid.uuid), "bidder": bidder.org_id or bidder.slug,
        "consortium": consortium.pk if consortium else None, "submitted_at": now.isoformat(),
        "lots": _prices(opportunity, lots), "answers": _answers(opportunity, answers),
        "social_value": _commitments(opportunity, social_value or []),
        "documents": _documents(documents or []), "declaration": bool(declaration),
        "salt": secrets.token_hex(16),
    }  # fmt: skip
    plaintext = sealing.canonical(content)
    bid.receipt_sha256 = sealing.receipt_hash(plaintext)
    bid.size_bytes = len(plaintext)
    previous = (
        Bid.objects.select_for_update()
        .filter(opportunity=opportunity, bidder=bidder, status=BidStatus.SUBMITTED)
        .first()
    )
    if previous is not None:
        previous.status = BidStatus.REPLACED
        previous.save(update_fields=["status", "updated_at"])
        bid.replaces = previous
    bid.save(force_insert=True)
    sealed = sealing.seal(
        bytes(opportunity.sealing_key.public_key), plaintext,
        sealing.associated_data(opportunity.ocid, str(bid.uuid)),
    )  # fmt: skip
    SealedContent.objects.create(
        bid=bid, ephemeral_public_key=sealed.ephemeral_public_key, nonce=sealed.nonce,
        ciphertext=sealed.ciphertext, created_at=now,
    )  # fmt: skip
    _audit_sealed(
        "bid.replace" if previous else "bid.submit", bid,
        {"opportunity": opportunity.pk, "sha256": bid.receipt_sha256, "submitted_at": now,
         "replaces": previous.pk if previous else None},
    )  # fmt: skip
    return bid


def _audit_sealed(action: str, target: Any, summary: dict[str, Any]) -> None:
    """Audit a step of a bid or consortium before the deadline without saying who bids: no
    actor (their e-mail and organisation would name the bidder), no label and no names, only
    the record's number and, for a bid, its receipt hash. The opening's events name the
    bidders, the consortia's members and who sent each envelope."""
    audit_record(actor=None, action=action, object_type=target._meta.label_lower,
                 object_id=str(target.pk), summary=summary)  # fmt: skip


@transaction.atomic
def bid_withdraw(*, bid: Bid, by: User, now: datetime | None = None) -> Bid:
    access.require_provider_of(by, bid.bidder)
    now = clock(now)
    bid = Bid.objects.select_for_update().select_related("opportunity").get(pk=bid.pk)
    _check_open(bid.opportunity, now)
    if bid.status != BidStatus.SUBMITTED:
        raise CommissioningError("Only a live bid can be withdrawn", "bid")
    bid.status, bid.withdrawn_at, bid.withdrawn_by = BidStatus.WITHDRAWN, now, by
    bid.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
    _audit_sealed("bid.withdraw", bid, {"opportunity": bid.opportunity_id, "at": now})
    return bid


# ---------------------------------------------------------------- opening


class _SetAside(Exception):
    """One envelope cannot be opened or read: the bid is set aside for this reason."""

    def __init__(self, result: str, reason: str) -> None:
        super().__init__(reason)
        self.result, self.reason = result, reason


def _unreadable(reason: str) -> _SetAside:
    return _SetAside(OpeningResult.UNREADABLE, reason)


def _read_lots(opportunity: Opportunity, items: Any) -> list[tuple[Any, int]]:
    lots = {lot.number: lot for lot in opportunity.lots.all()}
    if not isinstance(items, list) or not items:
        raise _unreadable(_("It prices no lot"))
    result, seen = [], set()
    for item in items:
        number = item.get("lot") if isinstance(item, dict) else None
        if type(number) is not int or number not in lots or number in seen:
            raise _unreadable(_("It prices a lot that does not exist, or one lot twice"))
        seen.add(number)
        price = item.get("price_pence")
        # The range a price can be kept in, not today's OPUS_MAX_CONTRACT_PENCE: the bid was
        # checked against the limit when it was sealed, and a later change of the setting
        # must not set aside bids that were valid when they were made.
        if type(price) is not int or not 0 < price < STORABLE:
            raise _unreadable(
                _("Its price for lot %(number)s is not a whole number of pence from 1p to %(max)s")
                % {"number": number, "max": f"{STORABLE - 1:,}"}
            )
        result.append((lots[number], price))
    return result


def _read_answers(opportunity: Opportunity, answers: Any) -> list[tuple[Any, str]]:
    questions = {str(q.number): q for q in opportunity.questions.all()}
    if not isinstance(answers, dict):
        raise _unreadable(_("Its answers cannot be read"))
    result = []
    for number, text in answers.items():
        if number not in questions or not isinstance(text, str):
            raise _unreadable(_("It answers a question that does not exist"))
        result.append((questions[number], text))
    return result


def _read_documents(items: Any) -> list[dict[str, Any]]:
    """The documents sealed with the bid, each checked against the SHA-256 taken when sent."""
    if items in (None, []):
        return []
    if not isinstance(items, list):
        raise _unreadable(_("Its documents cannot be read"))
    result = []
    for item in items:
        try:
            data = base64.b64decode(item["data"], validate=True)
            name, content_type = str(item["name"])[:200], str(item.get("content_type", ""))[:100]
        except (KeyError, TypeError, ValueError) as exc:
            raise _unreadable(_("Its documents cannot be read")) from exc
        if (
            hashlib.sha256(data).hexdigest() != item.get("sha256")
            or len(data) > MAX_DOCUMENTS_BYTES
        ):
            raise _unreadable(_("A document does not match what was sent"))
        result.append(
            {"name": name, "content_type": content_type, "sha256": item["sha256"], "data": data}
        )
    return result


def _read_commitments(opportunity: Opportunity, items: Any) -> list[tuple[Any, Decimal, int]]:
    if items in (None, []):
        return []
    if not isinstance(items, list) or opportunity.value_table_id is None:
        raise _unreadable(_("Its social-value commitments cannot be read"))
    measures = {m.code: m for m in opportunity.value_table.measures.all()}
    result = []
    for item in items:
        if not isinstance(item, dict) or item.get("measure") not in measures:
            raise _unreadable(_("It commits to a social-value measure that does not exist"))
        measure = measures[item["measure"]]
        try:
            quantity = Decimal(str(item.get("quantity")))
        except InvalidOperation as exc:
            raise _unreadable(_("Its social-value units are not a number")) from exc
        if not quantity.is_finite() or not 0 <= quantity <= MAX_UNITS:
            raise _unreadable(_("Its social-value units are out of range"))
        value = times(measure.value_pence, quantity)
        if not 0 <= value < STORABLE:
            raise _unreadable(_("Its social-value commitments are worth more than can be kept"))
        result.append((measure, quantity.quantize(Decimal("0.01")), value))
    return result


def _read(opportunity: Opportunity, key: OpportunityKey | None, bid: Bid) -> dict[str, Any]:
    """Decrypt, check and parse one envelope; `_SetAside` with the reason when it cannot."""
    import json

    if key is None:
        raise _SetAside(OpeningResult.TAMPERED, _("The opportunity's sealing key is missing"))
    try:
        sealed = bid.sealed
    except SealedContent.DoesNotExist as exc:
        raise _SetAside(OpeningResult.TAMPERED, _("Its sealed content is missing")) from exc
    try:
        plaintext = sealing.open_sealed(
            opportunity, key, sealed, sealing.associated_data(opportunity.ocid, str(bid.uuid))
        )
    except sealing.Tampered as exc:
        raise _SetAside(OpeningResult.TAMPERED, str(exc)) from exc
    if sealing.receipt_hash(plaintext) != bid.receipt_sha256:
        raise _SetAside(
            OpeningResult.HASH_MISMATCH,
            _("What was decrypted does not match the SHA-256 on the bidder's receipt"),
        )
    try:
        content = json.loads(plaintext)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise _unreadable(_("Its content is not readable JSON")) from exc
    if not isinstance(content, dict):
        raise _unreadable(_("Its content is not a bid"))
    if content.get("ocid") != opportunity.ocid or content.get("bid") != str(bid.uuid):
        raise _unreadable(_("Its content belongs to another bid"))
    return {
        "lots": _read_lots(opportunity, content.get("lots")),
        "answers": _read_answers(opportunity, content.get("answers")),
        "commitments": _read_commitments(opportunity, content.get("social_value")),
        "documents": _read_documents(content.get("documents")),
    }


def _unpack(bid: Bid, content: dict[str, Any]) -> None:
    BidLot.objects.bulk_create(
        BidLot(bid=bid, lot=lot, price_pence=price) for lot, price in content["lots"]
    )
    BidAnswer.objects.bulk_create(
        BidAnswer(bid=bid, question=question, text=text) for question, text in content["answers"]
    )
    SocialValueCommitment.objects.bulk_create(
        SocialValueCommitment(bid=bid, measure=measure, quantity=quantity, value_pence=value)
        for measure, quantity, value in content["commitments"]
    )
    BidDocument.objects.bulk_create(
        BidDocument(bid=bid, size_bytes=len(d["data"]), **d) for d in content["documents"]
    )


def _open_one(opportunity: Opportunity, key: OpportunityKey | None, bid: Bid) -> tuple[str, str]:
    """Open one envelope in a savepoint of its own: (result, reason why it was set aside).

    Whatever is wrong with this envelope (altered ciphertext, a receipt that does not match,
    content that is not JSON or holds values out of range, a row the database refuses) sets
    this bid aside and leaves the others to open."""
    try:
        with transaction.atomic():
            _unpack(bid, _read(opportunity, key, bid))
    except _SetAside as exc:
        return exc.result, exc.reason[:300]
    except (
        DatabaseError, ArithmeticError, AttributeError, LookupError, TypeError, ValueError
    ) as exc:  # fmt: skip
        reason = _("Its content could not be read or kept (%(error)s)") % {
            "error": type(exc).__name__
        }
        return OpeningResult.UNREADABLE, reason
    return OpeningResult.VERIFIED, ""


def _flag_abnormally_low(opportunity: Opportunity) -> None:
    for lot in opportunity.lots.all():
        rows = list(BidLot.objects.filter(lot=lot).order_by("pk"))
        flags = procurement.abnormally_low(
            [r.price_pence for r in rows], opportunity.abnormally_low_percent
        )
        note = procurement.ABNORMALLY_LOW_RULE.format(percent=opportunity.abnormally_low_percent)
        for row, flag in zip(rows, flags, strict=True):
            if flag:
                row.abnormally_low, row.abnormally_low_note = True, note[:300]
                row.save(update_fields=["abnormally_low", "abnormally_low_note", "updated_at"])


@transaction.atomic
def bids_open(*, opportunity: Opportunity, by: User | None) -> dict[str, str]:
    """Open every live bid after the deadline (server clock): decrypt, check each against its
    receipt hash, and record the result of each in the audit log."""
    access.require_staff(by)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    now = timezone.now()
    if opportunity.status != OpportunityStatus.PUBLISHED:
        raise CommissioningError(
            "These bids have already been opened, or were never invited", "status"
        )
    if opportunity.bids_sealed(now):
        raise CommissioningError(
            "Bids stay sealed until the submission deadline has passed", "status"
        )
    results, set_aside = {}, {}
    key = OpportunityKey.objects.filter(opportunity=opportunity).first()
    bids = opportunity.bids.select_related(
        "sealed", "bidder", "submitted_by", "withdrawn_by"
    ).order_by("pk")
    for bid in bids:
        if bid.status != BidStatus.SUBMITTED:
            # Withdrawn and replaced envelopes stay shut; now the deadline has passed the
            # log says whose they were, which it kept quiet about before.
            audit_record(actor=by, action=f"bid.unsealed.{bid.status}", target=bid,
                         summary=_who(bid))  # fmt: skip
            continue
        result, reason = _open_one(opportunity, key, bid)
        bid.opened_at, bid.opening_result, bid.opening_note = now, result, reason
        bid.save(update_fields=["opened_at", "opening_result", "opening_note", "updated_at"])
        results[str(bid.uuid)] = result
        if reason:
            set_aside[str(bid.uuid)] = reason
        audit_record(actor=by, action=f"bid.open.{result}", target=bid,
                     summary={"sha256": bid.receipt_sha256, **_who(bid),
                              **({"set_aside": reason} if reason else {})})  # fmt: skip
    for consortium in opportunity.consortia.select_related("lead").order_by("pk"):
        audit_record(actor=by, action="consortium.unsealed", target=consortium, summary={
            "lead": consortium.lead.slug,
            "members": [{"organisation": m.organisation.slug, "status": m.status,
                         "work_share": m.work_share, "value_share": m.value_share,
                         "responded_by": m.responded_by.email if m.responded_by else None}
                        for m in consortium.members.select_related("organisation",
                                                                   "responded_by")],
            "created_by": consortium.created_by.email if consortium.created_by else None,
        })  # fmt: skip
    _flag_abnormally_low(opportunity)
    opportunity.status, opportunity.opened_at, opportunity.opened_by = (
        OpportunityStatus.OPENED, now, by,
    )  # fmt: skip
    opportunity.save(update_fields=["status", "opened_at", "opened_by", "updated_at"])
    audit_record(actor=by, action="bids.open", target=opportunity,
                 summary={"opened": len(results), "results": results,
                          "set_aside": set_aside})  # fmt: skip
    return results


def _who(bid: Bid) -> dict[str, Any]:
    """Who bid and who sent it: said in the log only from the opening on."""
    sender = bid.submitted_by
    who = {"bidder": bid.bidder.slug, "consortium": bid.consortium_id,
           "submitted_by": sender.email if sender else None,
           "submitted_at": bid.submitted_at}  # fmt: skip
    if bid.status == BidStatus.WITHDRAWN:
        who["withdrawn_by"] = bid.withdrawn_by.email if bid.withdrawn_by else None
    return who
