"""Councillors' casework: a resident raises an issue with their neighbourhood council; the
council's councillors and clerk move it on (in progress, referred to the right body, answered,
closed). Informal help, not a complaint (complaints are `opus.voice`'s, on statutory clocks).

Private: the resident, their champion with consent, the council's councillors and clerk, and
auditors see a case (`may_see_case`); everyone else gets 404. Every write checks who may make
it (PermissionDenied), runs in one transaction, writes its audit event and tells people there.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.choice.acting import active_consent, may_act_for, require_acting
from opus.choice.models import ConsentScope
from opus.core.audit import audit_record
from opus.core.models import Organisation, OrganisationKind, Postcode, Role, User
from opus.core.roles import has_role
from opus.neighbourhoods import money
from opus.neighbourhoods.models import Case, CaseStatus, Clerk
from opus.notifications.services import notify, site_link

MAX_SUBJECT = 200
MAX_TEXT = 5000
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.REFERRED)


class CaseError(ValueError):
    """Bad input or a step out of turn; nothing is written. `field` names what to fix."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


def is_case_officer(user: User, council_id: int) -> bool:
    """The council's councillors and clerk."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        money.is_councillor_of(user, council_id)
        or Clerk.objects.filter(council_id=council_id, user_id=user.pk).exists()
    )


def may_see_case(user: User, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == case.resident_id or is_case_officer(user, case.council_id):
        return True
    if has_role(user, Role.AUDITOR):
        return True
    return (
        has_role(user, Role.CHAMPION)
        and active_consent(user, case.resident_id, ConsentScope.FIND) is not None
    )


def may_act_for_resident(user: User, case: Case) -> bool:
    return may_act_for(user, case.resident_id, ConsentScope.CHOOSE)


def get_case_for_user(user: User, pk: int) -> Case | None:
    case = Case.objects.select_related("council", "resident", "referred_to").filter(pk=pk).first()
    if case is None or not may_see_case(user, case):
        return None
    return case


def cases_for_council(council_id: int) -> QuerySet[Case]:
    return Case.objects.filter(council_id=council_id).select_related("resident")


def council_for(postcode: str) -> Organisation | None:
    """The neighbourhood council of a postcode (its LSOA's neighbourhood), if it has one."""
    place = (
        Postcode.objects.filter(postcode=postcode)
        .values_list("lsoa__neighbourhood_id", flat=True)
        .first()
    )
    if place is None:
        return None
    return Organisation.objects.filter(
        kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area_id=place
    ).first()


def _officers(council_id: int) -> list[User]:
    councillors = User.objects.filter(
        memberships__organisation_id=council_id, memberships__role=Role.COUNCILLOR
    )
    clerks = User.objects.filter(clerk_of__council_id=council_id)
    return list((councillors | clerks).distinct())


def _tell(recipient: User, case: Case, template: str, context: dict[str, object]) -> None:
    notify(
        recipient=recipient,
        template=template,
        context={
            "name": recipient.full_name,
            "subject": case.subject,
            "council": case.council.name,
            "link": site_link(reverse("neighbourhoods:case_detail", args=[case.pk])),
            **context,
        },
        event=f"case.{template}",
        target=case,
    )


def _text(value: str, field: str, message: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message, field)
    if len(value) > limit:
        raise CaseError(_("Write no more than %(n)s characters") % {"n": limit}, field)
    return value


@transaction.atomic
def case_raise(
    *, council: Organisation, resident: User, subject: str, details: str, by: User
) -> Case:
    """A resident (or their champion with consent) raises an issue with a council."""
    require_acting(by, resident.pk, ConsentScope.CHOOSE)
    if council.kind != OrganisationKind.NEIGHBOURHOOD_COUNCIL:
        raise CaseError(_("Choose a neighbourhood council"), "council")
    case = Case.objects.create(
        council=council,
        resident=resident,
        raised_by=by,
        subject=_text(subject, "subject", _("Enter what your issue is about"), MAX_SUBJECT),
        details=_text(details, "details", _("Describe your issue")),
    )
    audit_record(actor=by, action="case.raise", target=case, summary={"council": council.pk})
    for officer in _officers(council.pk):
        _tell(officer, case, "case_raised", {})
    return case


def _require_officer(case: Case, by: User) -> None:
    if not is_case_officer(by, case.council_id):
        raise PermissionDenied(_("Only this neighbourhood council's councillors and clerk can"))


def _locked(case: Case) -> Case:
    case = Case.objects.select_for_update().select_related("council", "resident").get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise CaseError(_("This case is closed"))
    return case


@transaction.atomic
def case_start(*, case: Case, by: User) -> Case:
    _require_officer(case, by)
    case = _locked(case)
    if case.status != CaseStatus.NEW:
        raise CaseError(_("This case is already being worked on"))
    case.status, case.updated_at = CaseStatus.IN_PROGRESS, timezone.now()
    case.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="case.start", target=case, summary={})
    _tell(case.resident, case, "case_update", {"status": case.get_status_display()})
    return case


@transaction.atomic
def case_refer(*, case: Case, body: Organisation, note: str, by: User) -> Case:
    """Refer the case to the body that can act; its staff are told."""
    _require_officer(case, by)
    case = _locked(case)
    if body.pk == case.council_id:
        raise CaseError(_("Choose another body than this council"), "body")
    case.referred_to = body
    case.referral_note = _text(note, "note", _("Write what you are asking them to do"))
    case.status, case.updated_at = CaseStatus.REFERRED, timezone.now()
    case.save(update_fields=["referred_to", "referral_note", "status", "updated_at"])
    audit_record(actor=by, action="case.refer", target=case, summary={"body": body.pk})
    _tell(case.resident, case, "case_update", {"status": case.get_status_display()})
    for staff in User.objects.filter(memberships__organisation=body).distinct():
        notify(
            recipient=staff,
            template="case_referred",
            context={
                "name": staff.full_name,
                "council": case.council.name,
                "subject": case.subject,
                "note": case.referral_note,
            },
            event="case.case_referred",
            target=case,
        )
    return case


@transaction.atomic
def case_answer(*, case: Case, answer: str, by: User) -> Case:
    _require_officer(case, by)
    case = _locked(case)
    case.answer = _text(answer, "answer", _("Write the answer"))
    case.status, case.updated_at = CaseStatus.ANSWERED, timezone.now()
    case.save(update_fields=["answer", "status", "updated_at"])
    audit_record(actor=by, action="case.answer", target=case, summary={})
    _tell(case.resident, case, "case_answered", {"answer": case.answer})
    return case


@transaction.atomic
def case_close(*, case: Case, by: User) -> Case:
    """The council's officers, or the resident (or their champion), close a case."""
    if not (is_case_officer(by, case.council_id)):
        require_acting(by, case.resident_id, ConsentScope.CHOOSE)
    case = _locked(case)
    case.status, case.updated_at = CaseStatus.CLOSED, timezone.now()
    case.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="case.close", target=case, summary={})
    return case
