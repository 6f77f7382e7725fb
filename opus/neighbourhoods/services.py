"""Every write of participatory budgeting: processes, proposals, ballots, the count, delivery.

A process moves proposals → feasibility → voting → counting → results → delivery. Closing the
vote freezes the ballots: the Pabulib text of every ballot not voided is hashed (SHA-256) and
the tie order drawn from a published seed, both before anything is counted. The count is
stored as `Result` rows (one per rule, the process's own one official); nothing of it is shown
until `process_publish`, which also commits each winner's cost in the council's ledger.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.budgets.models import Budget
from opus.core.audit import audit_record
from opus.core.models import Organisation, OrganisationKind, Postcode, Role, User
from opus.core.roles import has_role
from opus.engines import pb
from opus.neighbourhoods import money
from opus.neighbourhoods.models import (
    Ballot,
    BallotType,
    Channel,
    Clerk,
    Milestone,
    Phase,
    Process,
    Project,
    ProjectStatus,
    Result,
)
from opus.neighbourhoods.models.pb import PHASE_ORDER, DeliveryStatus
from opus.neighbourhoods.pabulib_export import process_election, voter_id
from opus.notifications.services import notify

MAX_COST_PENCE = 10**11  # £1bn: far above any neighbourhood's budget
MAX_AGE = 130
RULES = ("greedy", "equal-shares")


class PBError(ValueError):
    """Bad input or a step out of turn; nothing is written. `field` names what to fix."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


def is_officer(user: User, council_id: int) -> bool:
    """Councillors and the clerk of the council, and administrators."""
    return (
        money.is_councillor_of(user, council_id)
        or Clerk.objects.filter(council_id=council_id, user_id=user.pk).exists()
        or has_role(user, Role.ADMIN)
    )


def _require_officer(process: Process, by: User) -> None:
    if not is_officer(by, process.council_id):
        raise PermissionDenied(_("Only this neighbourhood council's officers can do this"))


def _require_phase(process: Process, *phases: str) -> None:
    if process.phase not in phases:
        raise PBError(
            _("This cannot be done while the process is at “%(phase)s”")
            % {"phase": process.get_phase_display()},
            "phase",
        )


def _locked(process: Process) -> Process:
    return Process.objects.select_for_update().get(pk=process.pk)


# --- Processes and proposals ---------------------------------------------------------------


@transaction.atomic
def process_create(
    *,
    council: Organisation,
    budget: Budget,
    title: str,
    amount_pence: int,
    ballot_type: str,
    by: User,
    min_choices: int = 1,
    max_choices: int | None = None,
    points: int = 10,
    min_age: int = 11,
    rule: str = "equal-shares",
    completion: str = "add1",
    exhaustive_stop: bool = True,
    description: str = "",
) -> Process:
    if not (money.is_councillor_of(by, council.pk) or has_role(by, Role.ADMIN)):
        raise PermissionDenied(_("Only this neighbourhood council's councillors can do this"))
    if council.kind != OrganisationKind.NEIGHBOURHOOD_COUNCIL or council.area is None:
        raise PBError(_("Only a neighbourhood council with an area runs a PB process"), "council")
    if budget.organisation_id != council.pk:
        raise PBError(_("Select one of this council's budgets"), "budget")
    if not title.strip():
        raise PBError(_("Enter a title"), "title")
    if ballot_type not in BallotType.values:
        raise PBError(_("Select the kind of ballot"), "ballot_type")
    if rule not in RULES or completion not in ("add1", "none"):
        raise PBError(_("Select a counting rule"), "rule")
    if not 0 < amount_pence <= MAX_COST_PENCE:
        raise PBError(_("Enter the amount to share out, more than £0"), "amount_pence")
    if min_choices < 0 or (max_choices is not None and max_choices < max(min_choices, 1)):
        raise PBError(
            _("The most projects a voter may choose must be at least the fewest"), "max_choices"
        )
    if not 1 <= points <= 1000 or not 0 <= min_age <= MAX_AGE:
        raise PBError(_("Points go from 1 to 1,000 and the age limit from 0 to 130"), "points")
    process = Process.objects.create(
        council=council,
        area=council.area,
        budget=budget,
        title=title.strip()[:200],
        description=description,
        amount_pence=amount_pence,
        ballot_type=ballot_type,
        min_choices=min_choices,
        max_choices=max_choices,
        points=points,
        min_age=min_age,
        rule=rule,
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        created_by=by,
    )
    audit_record(actor=by, action="pb.process_create", target=process, summary={"title": title})
    return process


@transaction.atomic
def project_propose(
    *, process: Process, title: str, description: str, cost_pence: int, by: User, place: str = ""
) -> Project:
    """Anyone signed in proposes an idea with a cost and a place while proposals are open."""
    process = _locked(process)
    _require_phase(process, Phase.PROPOSALS)
    if not title.strip():
        raise PBError(_("Enter a name for your idea"), "title")
    if not description.strip():
        raise PBError(_("Say what your idea would do"), "description")
    if not 0 < cost_pence <= process.amount_pence:
        raise PBError(
            _("Enter a cost more than £0 and no more than the money the vote shares out"),
            "cost_pence",
        )
    project = Project.objects.create(
        process=process,
        title=title.strip()[:200],
        description=description.strip(),
        place=place.strip()[:200],
        proposed_cost_pence=cost_pence,
        cost_pence=cost_pence,
        proposer=by,
    )
    audit_record(actor=by, action="pb.project_propose", target=project, summary={"title": title})
    return project


@transaction.atomic
def project_review(
    *, project: Project, feasible: bool, by: User, cost_pence: int | None = None, reason: str = ""
) -> Project:
    """An officer puts a proposal on the ballot (its cost corrected with a reason) or not."""
    process = _locked(project.process)
    _require_officer(process, by)
    _require_phase(process, Phase.FEASIBILITY)
    reason = reason.strip()
    cost = project.cost_pence if cost_pence is None else cost_pence
    if not feasible and not reason:
        raise PBError(_("Say why the idea is not eligible"), "reason")
    if cost != project.proposed_cost_pence and not reason:
        raise PBError(_("Say why the cost was corrected"), "reason")
    if not 0 < cost <= process.amount_pence:
        raise PBError(_("Enter a cost more than £0 and within the money shared out"), "cost_pence")
    project.status = ProjectStatus.FEASIBLE if feasible else ProjectStatus.INELIGIBLE
    project.cost_pence, project.review_reason = cost, reason
    project.save(update_fields=["status", "cost_pence", "review_reason"])
    audit_record(
        actor=by,
        action="pb.project_review",
        target=project,
        summary={"feasible": feasible, "cost_pence": cost, "reason": reason},
    )
    return project


@transaction.atomic
def process_advance(*, process: Process, by: User) -> Process:
    """Move to the next phase. Leaving voting freezes the ballots (`process_close`); results
    come only by `process_publish`."""
    process = _locked(process)
    _require_officer(process, by)
    _require_phase(process, Phase.PROPOSALS, Phase.FEASIBILITY, Phase.RESULTS)
    if process.phase == Phase.FEASIBILITY:
        if process.projects.filter(status=ProjectStatus.PROPOSED).exists():
            raise PBError(_("Review every proposal before voting opens"), "phase")
        if not process.projects.filter(status=ProjectStatus.FEASIBLE).exists():
            raise PBError(_("Put at least one project on the ballot"), "phase")
    process.phase = PHASE_ORDER[PHASE_ORDER.index(process.phase) + 1]
    process.save(update_fields=["phase"])
    _phase_changed(process, by)
    return process


def _phase_changed(process: Process, by: User) -> None:
    audit_record(actor=by, action="pb.phase", target=process, summary={"phase": process.phase})
    proposers = User.objects.filter(pb_proposals__process=process).distinct()
    for person in proposers:
        notify(
            recipient=person,
            template="pb_phase_changed",
            context={
                "name": person.full_name,
                "process": process.title,
                "phase": str(process.get_phase_display()),
            },
            event="pb.phase",
            target=process,
        )


# --- Ballots -------------------------------------------------------------------------------


def _eligible_lsoa(process: Process, postcode: str, age: int | None) -> Any:
    if age is None or not 0 <= age <= MAX_AGE:
        raise PBError(_("Enter your age in whole years, like 34"), "age")
    if age < process.min_age:
        raise PBError(
            _("You must be %(age)s or older to vote in this process") % {"age": process.min_age},
            "age",
        )
    cleaned = " ".join(postcode.upper().split())
    found = Postcode.objects.select_related("lsoa").filter(postcode=cleaned).first()
    if found is None or found.lsoa is None:
        raise PBError(_("Enter a full postcode, like NV1 2AB"), "postcode")
    if found.lsoa.neighbourhood_id != process.area_id:
        raise PBError(_("Only people living in the neighbourhood can vote in it"), "postcode")
    return found.lsoa


def ballot_points(process: Process, chosen: Mapping[int, int]) -> dict[str, int]:
    """Check a ballot against the process's type; project id (text) → points."""
    on_ballot = dict(
        process.projects.filter(status=ProjectStatus.FEASIBLE).values_list("pk", "cost_pence")
    )
    marks = {int(k): int(v) for k, v in chosen.items() if int(v) != 0}
    if any(k not in on_ballot for k in marks):
        raise PBError(_("Choose only projects on the ballot"), "projects")
    if any(v < 0 for v in marks.values()):
        raise PBError(_("Points cannot be negative"), "projects")
    if process.ballot_type == BallotType.CUMULATIVE:
        return _cumulative(process, marks)
    if any(v != 1 for v in marks.values()):
        raise PBError(_("Tick each project at most once"), "projects")
    if process.ballot_type == BallotType.KNAPSACK:
        if not marks:
            raise PBError(_("Choose at least one project"), "projects")
        if sum(on_ballot[k] for k in marks) > process.amount_pence:
            raise PBError(_("The projects you chose cost more than the budget"), "projects")
    else:
        _approval_length(process, len(marks))
    return {str(k): 1 for k in sorted(marks)}


def _cumulative(process: Process, marks: dict[int, int]) -> dict[str, int]:
    total = sum(marks.values())
    if total == 0:
        raise PBError(_("Give at least one point to a project"), "projects")
    if total > process.points:
        raise PBError(
            _("You have %(n)s points to share; you gave %(given)s")
            % {"n": process.points, "given": total},
            "projects",
        )
    return {str(k): v for k, v in sorted(marks.items())}


def _approval_length(process: Process, chosen: int) -> None:
    fewest = max(process.min_choices, 1)
    if chosen < fewest:
        raise PBError(_("Choose at least %(n)s projects") % {"n": fewest}, "projects")
    if process.max_choices is not None and chosen > process.max_choices:
        raise PBError(_("Choose at most %(n)s projects") % {"n": process.max_choices}, "projects")


def _already_voted(process: Process, voter: User) -> None:
    existing = Ballot.objects.filter(process=process, voter=voter, voided_at__isnull=True).first()
    if existing is None:
        return
    if existing.channel == Channel.PAPER:
        raise PBError(_("A paper ballot has already been counted for this person"), "voter")
    raise PBError(_("This person has already voted online in this process"), "voter")


def _for_voting(process: Process) -> Process:
    """The process row read under a shared lock on PostgreSQL: ballots are cast side by side,
    but closing (FOR UPDATE) waits for those in flight and every later one sees it closed, so
    nothing joins the ballot file after its hash is published. (SQLite serialises writers.)"""
    if connection.vendor != "postgresql":
        return Process.objects.get(pk=process.pk)
    found = list(
        Process.objects.raw(
            "SELECT * FROM neighbourhoods_process WHERE id = %s FOR SHARE", [process.pk]
        )
    )
    return found[0]


def _cast(process: Process, voter: User, **fields: Any) -> Ballot:
    """Insert the ballot; the unique constraint refuses a second one whatever the timing."""
    if process.phase != Phase.VOTING:
        raise PBError(_("Voting is closed"), "phase")
    _already_voted(process, voter)
    try:
        with transaction.atomic():
            return Ballot.objects.create(process=process, voter=voter, **fields)
    except IntegrityError:
        _already_voted(process, voter)
        raise PBError(
            _("That paper ballot number has already been keyed"), "paper_number"
        ) from None


@transaction.atomic
def ballot_cast(
    *, process: Process, chosen: Mapping[int, int], postcode: str, age: int | None, by: User
) -> Ballot:
    """A signed-in resident votes online, once (the unique constraint decides a race)."""
    process = _for_voting(process)
    if process.phase != Phase.VOTING:
        raise PBError(_("Voting is closed"), "phase")
    lsoa = _eligible_lsoa(process, postcode, age)
    points = ballot_points(process, chosen)
    ballot = _cast(process, by, channel=Channel.ONLINE, points=points, lsoa=lsoa)
    audit_record(actor=by, action="pb.ballot_cast", target=ballot, summary={"channel": "online"})
    return ballot


@transaction.atomic
def ballot_key_paper(
    *,
    process: Process,
    voter: User,
    paper_number: int,
    chosen: Mapping[int, int],
    postcode: str,
    age: int | None,
    by: User,
) -> Ballot:
    """An officer keys one paper ballot, with its number, for the person who filled it in."""
    process = _for_voting(process)
    _require_officer(process, by)
    if process.phase != Phase.VOTING:
        raise PBError(_("Voting is closed"), "phase")
    if not 0 < paper_number <= 10**9:
        raise PBError(_("Enter the number printed on the ballot paper"), "paper_number")
    lsoa = _eligible_lsoa(process, postcode, age)
    points = ballot_points(process, chosen)
    ballot = _cast(
        process,
        voter,
        channel=Channel.PAPER,
        paper_number=paper_number,
        points=points,
        lsoa=lsoa,
        keyed_by=by,
    )
    audit_record(
        actor=by,
        action="pb.ballot_key_paper",
        target=ballot,
        summary={"channel": "paper", "paper_number": paper_number},
    )
    return ballot


@transaction.atomic
def ballot_void(*, ballot: Ballot, reason: str, by: User) -> Ballot:
    """An officer voids a ballot with a reason, before the count is frozen."""
    process = _locked(ballot.process)
    _require_officer(process, by)
    _require_phase(process, Phase.VOTING)
    if not reason.strip():
        raise PBError(_("Say why the ballot is void"), "reason")
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.voided_at is not None:
        raise PBError(_("This ballot is already void"), "ballot")
    ballot.voided_at, ballot.voided_by, ballot.void_reason = timezone.now(), by, reason.strip()
    ballot.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=by, action="pb.ballot_void", target=ballot, summary={"reason": reason})
    return ballot


# --- Closing, counting, publishing ---------------------------------------------------------


def _engine_input(process: Process) -> tuple[list[pb.Project], list[pb.Ballot], dict[int, str]]:
    projects = list(process.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk"))
    ballots = Ballot.objects.filter(process=process, voided_at__isnull=True).order_by("pk")
    pseudonyms = {b.pk: voter_id(process, b.voter_id) for b in ballots.only("pk", "voter_id")}
    return (
        [pb.Project(str(p.pk), p.cost_pence) for p in projects],
        [pb.Ballot(pseudonyms[b.pk], b.points) for b in ballots.only("pk", "points")],
        pseudonyms,
    )


@transaction.atomic
def process_close(*, process: Process, by: User) -> Process:
    """Close the vote and freeze it: publish the ballot file's SHA-256 and the tie order
    (from a seed drawn now) before anything is counted."""
    process = _locked(process)
    _require_officer(process, by)
    _require_phase(process, Phase.VOTING)
    projects, ballots, _ids = _engine_input(process)
    process.seed = secrets.token_hex(16)
    process.tie_order = list(pb.tie_order(projects, ballots, process.seed))
    text = process_election_text(process)
    process.ballots_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    process.frozen_at = timezone.now()
    process.phase = Phase.COUNTING
    process.save(update_fields=["seed", "tie_order", "ballots_sha256", "frozen_at", "phase"])
    audit_record(
        actor=by,
        action="pb.process_close",
        target=process,
        summary={"sha256": process.ballots_sha256, "seed": process.seed},
    )
    _phase_changed(process, by)
    return process


def process_election_text(process: Process) -> str:
    from opus.engines import pabulib

    return pabulib.write(process_election(process))


def _variant(process: Process, rule: str) -> pb.Variant:
    return pb.Variant(
        rule=rule,  # type: ignore[arg-type]
        utility="points" if process.ballot_type == BallotType.CUMULATIVE else "cost",
        completion=process.completion,  # type: ignore[arg-type]
        exhaustive_stop=process.exhaustive_stop,
        tie_order=tuple(process.tie_order),
        add1_unit=100,  # costs are pence; Add1 raises each share a pound at a time
    )


def _store(process: Process, outcome: pb.Outcome, official: bool) -> Result:
    variant = outcome.variant
    receipts = {
        voter: {p: str(round(amount, 2)) for p, amount in paid.items()}
        for voter, paid in outcome.payments.items()
    }
    return Result.objects.create(
        process=process,
        rule=variant.rule,
        variant={
            "rule": variant.rule,
            "utility": variant.utility,
            "completion": variant.completion,
            "exhaustive_stop": variant.exhaustive_stop,
            "tie_order": list(variant.tie_order),
            "add1_unit": variant.add1_unit,
            "seed": process.seed,
        },
        winners=list(outcome.winners),
        cost_pence=outcome.cost,
        projects=[
            {
                "id": p.id,
                "cost": p.cost,
                "votes": p.votes,
                "points": p.points,
                "funded": p.funded,
                "effective_support": None
                if p.effective_support is None
                else str(round(p.effective_support, 4)),
                "reason": p.reason,
            }
            for p in outcome.projects
        ],
        receipts=receipts,
        official=official,
        ballots_sha256=process.ballots_sha256,
    )


@transaction.atomic
def process_count(*, process: Process, by: User) -> list[Result]:
    """Count the frozen ballots by the process's rule (official) and by the other (for the
    side-by-side comparison). Results stay unpublished."""
    process = _locked(process)
    _require_officer(process, by)
    _require_phase(process, Phase.COUNTING)
    text = process_election_text(process)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != process.ballots_sha256:
        raise PBError(_("The ballots changed after they were frozen"), "phase")
    projects, ballots, _ids = _engine_input(process)
    process.results.all().delete()
    stored = []
    for rule in RULES:
        outcome = pb.count(projects, ballots, process.amount_pence, _variant(process, rule))
        stored.append(_store(process, outcome, official=(rule == process.rule)))
    audit_record(
        actor=by,
        action="pb.process_count",
        target=process,
        summary={"rules": list(RULES), "sha256": process.ballots_sha256},
    )
    return stored


@transaction.atomic
def process_publish(*, process: Process, by: User) -> Process:
    """Publish the official result: winners are marked funded and their cost committed."""
    process = _locked(process)
    _require_officer(process, by)
    _require_phase(process, Phase.COUNTING)
    official = process.results.filter(official=True).first()
    if official is None:
        raise PBError(_("Count the ballots before publishing the results"), "phase")
    for project in process.projects.filter(pk__in=[int(w) for w in official.winners]):
        project.funded = True
        project.commitment = money.neighbourhood_commit(
            budget=process.budget,
            payee=process.council,
            amount=project.cost_pence,
            purpose=f"PB: {project.title}"[:300],
            link=f"neighbourhoods.project:{project.pk}",
            by=by,
        )
        project.save(update_fields=["funded", "commitment"])
    process.phase = Phase.RESULTS
    process.results_published_at = timezone.now()
    process.save(update_fields=["phase", "results_published_at"])
    audit_record(
        actor=by,
        action="pb.process_publish",
        target=process,
        summary={"winners": official.winners, "cost_pence": official.cost_pence},
    )
    _phase_changed(process, by)
    return process


# --- Delivery ------------------------------------------------------------------------------


@transaction.atomic
def project_progress(*, project: Project, progress: int, by: User, milestone: str = "") -> Project:
    project = Project.objects.select_for_update().select_related("process").get(pk=project.pk)
    _require_officer(project.process, by)
    _require_phase(project.process, Phase.RESULTS, Phase.DELIVERY)
    if not project.funded:
        raise PBError(_("Only a funded project is delivered"), "project")
    if not 0 <= progress <= 100:
        raise PBError(_("Enter progress as a whole number from 0 to 100"), "progress")
    project.progress = progress
    project.delivery_status = (
        DeliveryStatus.DONE
        if progress == 100
        else DeliveryStatus.IN_PROGRESS
        if progress
        else DeliveryStatus.NOT_STARTED
    )
    project.save(update_fields=["progress", "delivery_status"])
    if milestone.strip():
        Milestone.objects.create(
            project=project,
            text=milestone.strip()[:300],
            reached_on=timezone.localdate(),
            created_by=by,
        )
    audit_record(
        actor=by,
        action="pb.project_progress",
        target=project,
        summary={"progress": progress, "milestone": milestone[:300]},
    )
    return project


def project_pay(*, project: Project, amount: int, reference: str, by: User) -> Any:
    """Pay for a funded project's work through the council's ledger (spend against cost)."""
    if project.commitment is None:
        raise PBError(_("Only a funded project is paid for"), "project")
    _require_officer(project.process, by)
    return money.neighbourhood_pay(
        commitment=project.commitment, amount=amount, reference=reference, by=by
    )
