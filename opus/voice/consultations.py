"""Every write of consultations and co-design: one transaction with its audit event.

Who does what:
- the staff of a public body (commissioners of a council or NHS body, councillors and the
  clerk of a neighbourhood council) open a consultation, add its questions and documents,
  publish it, tag free-text answers with themes and publish "you said, we did";
- anyone responds while it is open, signed in or not: one response a person, and for
  anonymous responses one a browser session and one an address (kept only as keyed digests);
- commissioners of the plan's commissioner attach a co-design group to a service decision
  and record its members (with consent), meetings, recommendations and their response.

The reads that summarise responses are in `consultation_results.py`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.commissioning.models import ServiceDecision
from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, OrganisationKind, Role, User
from opus.notifications.services import notify, site_link
from opus.voice.models import (
    ANSWER_MAX,
    AgeBand,
    Answer,
    CodesignGroup,
    CodesignMeeting,
    CodesignMember,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    Disability,
    EthnicGroup,
    Question,
    QuestionKind,
    Recommendation,
    RecommendationResponse,
    Response,
    Sex,
    Theme,
)

TEXT_MAX = 5000  # a summary, meeting notes or "you said, we did"
TITLE_MAX = 200
OPTIONS_MAX = 12  # options of one choice question
QUESTIONS_MAX = 30
LONGEST_OPEN_DAYS = 366
EQUALITY_FIELDS: dict[str, Any] = {
    "age_band": AgeBand,
    "sex": Sex,
    "disability": Disability,
    "ethnic_group": EthnicGroup,
}
PUBLIC_BODY_KINDS = (
    OrganisationKind.LOCAL_AUTHORITY,
    OrganisationKind.NHS_BODY,
    OrganisationKind.NEIGHBOURHOOD_COUNCIL,
)
STAFF_ROLES = (Role.COMMISSIONER, Role.COUNCILLOR)


class ConsultationError(ValueError):
    """A change the rules do not allow; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Who may ------------------------------------------------------------------------------


def bodies_run_by(user: Any) -> QuerySet[Organisation]:
    """The public bodies whose consultations this person runs (staff or clerk)."""
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    staff = Q(memberships__user=user, memberships__role__in=STAFF_ROLES)
    return (
        Organisation.objects.filter(kind__in=PUBLIC_BODY_KINDS)
        .filter(staff | Q(clerks__user=user))
        .distinct()
        .order_by("name")
    )


def runs(user: Any, consultation: Consultation) -> bool:
    return bodies_run_by(user).filter(pk=consultation.body_id).exists()


def runs_codesign(user: Any, decision: ServiceDecision) -> bool:
    """Commissioners of the organisation whose plan the decision is in."""
    if not (user and user.is_authenticated):
        return False
    return Membership.objects.filter(
        user=user, role=Role.COMMISSIONER, organisation_id=decision.plan.commissioner_id
    ).exists()


def _must_run(user: Any, consultation: Consultation) -> None:
    if not runs(user, consultation):
        raise PermissionDenied("Only the body's staff run its consultations")


def _must_run_group(user: Any, group: CodesignGroup) -> None:
    if not runs_codesign(user, group.decision):
        raise PermissionDenied("Only the plan's commissioners record co-design")


# --- Checks -------------------------------------------------------------------------------


def _text(value: str, field: str, empty: str, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ConsultationError(empty, field)
    if len(value) > limit:
        raise ConsultationError(_("Use %(n)s characters or fewer") % {"n": limit}, field)
    return value


def _dates(opens_on: date, closes_on: date) -> None:
    if closes_on < opens_on:
        raise ConsultationError(
            _("The closing date must be on or after the opening date"), "closes_on"
        )
    if (closes_on - opens_on).days > LONGEST_OPEN_DAYS:
        raise ConsultationError(_("A consultation can be open for a year at most"), "closes_on")
    if closes_on < timezone.localdate():
        raise ConsultationError(_("The closing date must be today or in the future"), "closes_on")


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def digest(kind: str, value: str) -> str:
    """A keyed digest: lets a second response be refused without keeping the address."""
    key = str(settings.SECRET_KEY).encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


# --- Running a consultation ----------------------------------------------------------------


def consultation_create(
    *, body: Organisation, title: str, summary: str, opens_on: date, closes_on: date, by: User
) -> Consultation:
    if not bodies_run_by(by).filter(pk=body.pk).exists():
        raise PermissionDenied("Only the body's staff open its consultations")
    title = _text(title, "title", _("Enter a title"), TITLE_MAX)
    summary = _text(summary, "summary", _("Say what the consultation is about"))
    _dates(opens_on, closes_on)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            body=body, title=title, summary=summary, opens_on=opens_on, closes_on=closes_on,
            created_by=by,
        )  # fmt: skip
        audit_record(
            actor=by,
            action="consultation.create",
            target=consultation,
            summary={"body": body.name, "opens_on": str(opens_on), "closes_on": str(closes_on)},
        )
    return consultation


def _options(kind: str, options: list[str]) -> list[str]:
    if kind not in QuestionKind.values:
        raise ConsultationError(_("Choose the kind of question"), "kind")
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    clean = [o.strip()[:TITLE_MAX] for o in options if o.strip()]
    if len(clean) < 2:
        raise ConsultationError(_("Give at least two options, one a line"), "options")
    if len(clean) > OPTIONS_MAX or len(set(clean)) != len(clean):
        raise ConsultationError(
            _("Give at most %(n)s options, each different") % {"n": OPTIONS_MAX}, "options"
        )
    return clean


def question_add(
    *,
    consultation: Consultation,
    text: str,
    kind: str,
    options: list[str],
    hint: str = "",
    required: bool = False,
    by: User,
) -> Question:
    """A question of a draft (questions are fixed once people can answer them)."""
    _must_run(by, consultation)
    text = _text(text, "text", _("Enter the question"), 300)
    clean = _options(kind, options)
    with transaction.atomic():
        consultation = _locked(consultation)
        if consultation.status != ConsultationStatus.DRAFT:
            raise ConsultationError(_("Questions can be added only before publishing"))
        count = consultation.questions.count()
        if count >= QUESTIONS_MAX:
            raise ConsultationError(
                _("A consultation has at most %(n)s questions") % {"n": QUESTIONS_MAX}
            )
        question = Question.objects.create(
            consultation=consultation, position=count + 1, text=text, hint=hint.strip()[:500],
            kind=kind, options=clean, required=required,
        )  # fmt: skip
        audit_record(
            actor=by,
            action="consultation.question_add",
            target=consultation,
            summary={"question": text, "kind": kind, "options": clean},
        )
    return question


def document_add(
    *, consultation: Consultation, title: str, url: str, by: User
) -> ConsultationDocument:
    _must_run(by, consultation)
    title = _text(title, "title", _("Enter the document's title"), TITLE_MAX)
    url = _text(url, "url", _("Enter the document's address"), 500)
    if not url.startswith(("https://", "http://")):
        raise ConsultationError(_("Enter an address starting https://"), "url")
    with transaction.atomic():
        document = ConsultationDocument.objects.create(
            consultation=consultation, title=title, url=url
        )
        audit_record(
            actor=by,
            action="consultation.document_add",
            target=consultation,
            summary={"title": title, "url": url},
        )
    return document


def consultation_publish(*, consultation: Consultation, by: User) -> Consultation:
    _must_run(by, consultation)
    with transaction.atomic():
        consultation = _locked(consultation)
        if consultation.status != ConsultationStatus.DRAFT:
            raise ConsultationError(_("This consultation is already published"))
        if not consultation.questions.exists():
            raise ConsultationError(_("Add at least one question before publishing"))
        _dates(consultation.opens_on, consultation.closes_on)
        consultation.status = ConsultationStatus.PUBLISHED
        consultation.published_at = timezone.now()
        consultation.save(update_fields=["status", "published_at"])
        audit_record(actor=by, action="consultation.publish", target=consultation)
    return consultation


# --- Responding ---------------------------------------------------------------------------


def check_answer(question: Question, value: Any) -> tuple[str, list[str]]:
    """(text, chosen) for one answer, or ConsultationError naming the question's field."""
    field = f"q{question.pk}"
    if question.kind == QuestionKind.TEXT:
        text = str(value or "").strip()
        if question.required and not text:
            raise ConsultationError(_("Answer the question"), field)
        if len(text) > ANSWER_MAX:
            raise ConsultationError(_("Use %(n)s characters or fewer") % {"n": ANSWER_MAX}, field)
        return text, []
    chosen = [str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v]
    if question.required and not chosen:
        raise ConsultationError(_("Choose an answer"), field)
    if not set(chosen) <= set(question.choices):
        raise ConsultationError(_("Choose from the options given"), field)
    if question.kind != QuestionKind.MULTIPLE and len(chosen) > 1:
        raise ConsultationError(_("Choose one answer"), field)
    return "", sorted(set(chosen), key=question.choices.index)


def check_equality(equality: dict[str, str], consent: bool) -> dict[str, str]:
    """Equality answers are kept only with consent; each from its list, blank if not given."""
    clean = {key: str(equality.get(key) or "") for key in EQUALITY_FIELDS}
    if any(clean.values()) and not consent:
        raise ConsultationError(
            _("Tick the box to agree to your answers being used for equality monitoring, "
              "or leave the questions blank"),
            "consent",
        )  # fmt: skip
    for key, choices in EQUALITY_FIELDS.items():
        if clean[key] and clean[key] not in choices.values:
            raise ConsultationError(_("Choose from the options given"), key)
    return clean


def _refuse_second(consultation: Consultation, user: Any, session: str, address: str) -> None:
    found = Response.objects.filter(consultation=consultation)
    signed_in = bool(user and user.is_authenticated)
    if signed_in and found.filter(respondent=user).exists():
        raise ConsultationError(_("You have already responded to this consultation"))
    if found.filter(session_digest=session).exists():
        raise ConsultationError(_("A response has already been sent from this browser"))
    if not signed_in and found.filter(respondent=None, address_digest=address).exists():
        raise ConsultationError(
            _("A response has already been sent from this connection. Sign in to respond "
              "as yourself")
        )  # fmt: skip


def response_submit(
    *,
    consultation: Consultation,
    answers: dict[int, Any],
    email: str = "",
    equality: dict[str, str] | None = None,
    consent: bool = False,
    user: Any = None,
    session_key: str,
    address: str,
) -> Response:
    """One response while the consultation is open. `answers` maps question id to the text
    or the options chosen; unanswered optional questions are left out."""
    clean = check_equality(equality or {}, consent)
    email = (email or "").strip()[:254]
    with transaction.atomic():
        consultation = _locked(consultation)
        if not consultation.is_open():
            raise ConsultationError(_("This consultation is not open for responses"))
        questions = list(consultation.questions.all())
        checked = [(q, *check_answer(q, answers.get(q.pk))) for q in questions]
        session, where = digest("session", session_key), digest("address", address)
        _refuse_second(consultation, user, session, where)
        signed_in = bool(user and user.is_authenticated)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    consultation=consultation, respondent=user if signed_in else None,
                    email=email, session_digest=session, address_digest=where,
                    equality_consent=consent and any(clean.values()), **clean,
                )  # fmt: skip
        except IntegrityError as exc:
            raise ConsultationError(_("You have already responded to this consultation")) from exc
        Answer.objects.bulk_create(
            Answer(response=response, question=q, text=text, chosen=chosen)
            for q, text, chosen in checked
            if text or chosen
        )
        audit_record(
            actor=user if signed_in else None,
            action="consultation.respond",
            target=consultation,
            summary={"response": response.pk, "answers": sum(1 for _q, t, c in checked if t or c)},
        )
    return response


# --- Analysing and closing ----------------------------------------------------------------


def theme_add(*, consultation: Consultation, name: str, by: User) -> Theme:
    _must_run(by, consultation)
    name = _text(name, "name", _("Enter the theme"), 100)
    with transaction.atomic():
        theme, made = Theme.objects.get_or_create(consultation=consultation, name=name)
        if not made:
            raise ConsultationError(_("There is already a theme with that name"), "name")
        audit_record(
            actor=by, action="consultation.theme_add", target=consultation, summary={"name": name}
        )
    return theme


def answer_tag(*, answer: Answer, themes: list[Theme], by: User) -> Answer:
    """Set the themes of one free-text answer (an empty list takes them all off)."""
    consultation = answer.response.consultation
    _must_run(by, consultation)
    if any(t.consultation_id != consultation.pk for t in themes):
        raise ConsultationError(_("Choose themes of this consultation"), "themes")
    with transaction.atomic():
        answer.themes.set(themes)
        audit_record(
            actor=by,
            action="consultation.answer_tag",
            target=consultation,
            summary={"answer": answer.pk, "themes": sorted(t.name for t in themes)},
        )
    return answer


def consultation_conclude(*, consultation: Consultation, text: str, by: User) -> Consultation:
    """Publish "you said, we did" once responses have closed; respondents who left an
    e-mail address (or responded signed in) are told."""
    _must_run(by, consultation)
    text = _text(text, "text", _("Say what people told you and what you will do"))
    with transaction.atomic():
        consultation = _locked(consultation)
        if consultation.status != ConsultationStatus.PUBLISHED or not consultation.has_closed():
            raise ConsultationError(_("You can publish this once the consultation has closed"))
        consultation.status = ConsultationStatus.CONCLUDED
        consultation.you_said_we_did, consultation.concluded_at = text, timezone.now()
        consultation.save(update_fields=["status", "you_said_we_did", "concluded_at"])
        told = _tell_respondents(consultation)
        audit_record(
            actor=by, action="consultation.conclude", target=consultation, summary={"told": told}
        )
    return consultation


def _tell_respondents(consultation: Consultation) -> int:
    context = {
        "title": consultation.title,
        "body": consultation.body.name,
        "link": site_link(reverse("voice:consultation_detail", args=[consultation.pk])),
    }
    seen: set[str] = set()
    rows = consultation.responses.select_related("respondent")
    for response in rows:
        recipient: User | str | None = response.email or response.respondent
        key = str(getattr(recipient, "pk", recipient))
        if recipient is None or key in seen:
            continue
        seen.add(key)
        notify(
            recipient=recipient, template="consultation_concluded", context=context,
            event="consultation.concluded", target=consultation,
        )  # fmt: skip
    return len(seen)


# --- Co-design ----------------------------------------------------------------------------


def codesign_create(
    *, decision: ServiceDecision, name: str, purpose: str, by: User
) -> CodesignGroup:
    if not runs_codesign(by, decision):
        raise PermissionDenied("Only the plan's commissioners record co-design")
    name = _text(name, "name", _("Enter the group's name"), TITLE_MAX)
    purpose = _text(purpose, "purpose", _("Say what the group is shaping"))
    with transaction.atomic():
        group = CodesignGroup.objects.create(
            decision=decision, name=name, purpose=purpose, created_by=by
        )
        audit_record(
            actor=by, action="codesign.create", target=group, summary={"decision": decision.pk}
        )
    return group


def codesign_member_add(
    *,
    group: CodesignGroup,
    name: str,
    experience: str,
    consented: bool,
    consented_on: date,
    name_shown: bool,
    by: User,
) -> CodesignMember:
    """A member joins only with their recorded consent; their name is shown only if they
    agreed to that as well."""
    _must_run_group(by, group)
    name = _text(name, "name", _("Enter the member's name"), TITLE_MAX)
    experience = _text(experience, "experience", _("Say what lived experience they bring"), 300)
    if not consented:
        raise ConsultationError(_("Record that the person consented to take part"), "consented")
    if consented_on > timezone.localdate():
        raise ConsultationError(
            _("The date of consent must be today or in the past"), "consented_on"
        )
    with transaction.atomic():
        member = CodesignMember.objects.create(
            group=group, name=name, experience=experience, consented_on=consented_on,
            name_shown=name_shown,
        )  # fmt: skip
        audit_record(
            actor=by, action="codesign.member_add", target=group,
            summary={"member": member.pk, "consented_on": str(consented_on)},
        )  # fmt: skip
    return member


def codesign_meeting_add(
    *, group: CodesignGroup, held_on: date, notes: str, by: User
) -> CodesignMeeting:
    _must_run_group(by, group)
    notes = _text(notes, "notes", _("Enter the meeting's notes"))
    if held_on > timezone.localdate():
        raise ConsultationError(_("Record a meeting once it has been held"), "held_on")
    with transaction.atomic():
        meeting = CodesignMeeting.objects.create(group=group, held_on=held_on, notes=notes)
        audit_record(
            actor=by, action="codesign.meeting_add", target=group,
            summary={"held_on": str(held_on)},
        )  # fmt: skip
    return meeting


def recommendation_add(*, group: CodesignGroup, text: str, by: User) -> Recommendation:
    _must_run_group(by, group)
    text = _text(text, "text", _("Enter the recommendation"))
    with transaction.atomic():
        found = Recommendation.objects.create(group=group, text=text)
        audit_record(actor=by, action="codesign.recommend", target=group, summary={"text": text})
    return found


def recommendation_respond(
    *, recommendation: Recommendation, response: str, reason: str, by: User
) -> Recommendation:
    """The commissioner's answer: accepted, partly or not, always with the reason."""
    _must_run_group(by, recommendation.group)
    if response not in RecommendationResponse.values or not response:
        raise ConsultationError(_("Choose whether you accept the recommendation"), "response")
    reason = _text(reason, "reason", _("Give the reason for your response"))
    with transaction.atomic():
        found = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        found.response, found.reason = response, reason
        found.responded_by, found.responded_at = by, timezone.now()
        found.save(update_fields=["response", "reason", "responded_by", "responded_at"])
        audit_record(
            actor=by, action="codesign.respond", target=found.group,
            summary={"recommendation": found.pk, "response": response, "reason": reason},
        )  # fmt: skip
    return found


# --- Permission-checked reads -------------------------------------------------------------


def get_consultation_for_user(user: Any, consultation_id: int) -> Consultation:
    """A published consultation for anyone; a draft only for its body's staff; else 404."""
    from django.http import Http404

    found = Consultation.objects.select_related("body").filter(pk=consultation_id).first()
    if found is None:
        raise Http404("Page not found")
    if found.status == ConsultationStatus.DRAFT and not runs(user, found):
        raise Http404("Page not found")
    return found


def get_codesign_for_user(user: Any, group_id: int) -> CodesignGroup:
    """A group on a published plan for anyone; on a draft plan only for its commissioners."""
    from django.http import Http404

    found = (
        CodesignGroup.objects.select_related("decision__plan__commissioner")
        .filter(pk=group_id)
        .first()
    )
    if found is None:
        raise Http404("Page not found")
    if not found.decision.plan.is_published and not runs_codesign(user, found.decision):
        raise Http404("Page not found")
    return found
