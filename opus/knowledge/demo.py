"""The good-practice part of the demo world: a dozen synthetic entries, one awaiting moderation.

Every entry says in its text that it is synthetic. Authors are the demo organisations'
staff, found by organisation kind; nothing here is random, so a seed always gives the
same library. The load is written as one audit event, like the rest of the demo world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, OrganisationKind, User
from opus.directory.models import TaxonomyTerm
from opus.knowledge.access import MODERATOR_ROLES, WRITER_ROLES
from opus.knowledge.models import (
    Audience,
    Entry,
    EntryAudience,
    EntryKind,
    EntryStatus,
)
from opus.knowledge.services import tags_named

SYNTHETIC = (
    "This is a synthetic example written for the Opus demonstration: the people, "
    "organisations and figures in it are invented."
)

K = OrganisationKind
A = Audience


@dataclass(frozen=True)
class Seed:
    title: str
    kind: str
    organisation: tuple[str, int]  # organisation kind, and which of that kind (by pk)
    audiences: tuple[str, ...]
    tags: tuple[str, ...]
    needs: tuple[str, ...]
    summary: str
    paragraphs: tuple[str, ...]
    status: str = EntryStatus.PUBLISHED


ENTRIES = [
    Seed(
        "How a carers' group became a social enterprise",
        EntryKind.CASE_STUDY,
        (K.SOCIAL_ENTERPRISE, 1),
        (A.PROVIDERS,),
        ("social enterprise", "carers", "governance", "getting started"),
        ("carers-groups", "respite", "gardening"),
        "Eight unpaid carers who met on an allotment turned their group into a community "
        "interest company that now sells respite sessions to people with personal budgets.",
        (
            "The group began as a Tuesday morning on a shared allotment: carers came for an hour "
            "of digging while a volunteer sat with the people they look after. After two years "
            "there was a waiting list, and the volunteers were exhausted.",
            "We chose a community interest company because it let us take payments, employ a "
            "sessional worker and keep an asset lock so the allotment could never be sold off. "
            "The local infrastructure charity helped with the articles for free; registration "
            "cost £27 online.",
            "Our first income was from three people who used part of their personal budgets "
            "for a weekly respite session. Being listed in the directory with a clear price per "
            "session mattered more than any grant application.",
            "What we would do differently: agree who is a director and who is a volunteer before "
            "the first meeting, keep the carers' group as a free peer group alongside the paid "
            "sessions, and ask for a small start-up grant for insurance before anything else.",
        ),
    ),
    Seed(
        "Spending a personal budget on a gym membership and a dog walker",
        EntryKind.CASE_STUDY,
        (K.CHARITY, 1),
        (A.BUDGET_HOLDERS,),
        ("personal budget", "ideas", "exercise", "mental health"),
        ("sport-exercise", "peer-support", "social-isolation"),
        "A man with depression agreed a support plan that paid for a gym membership and a dog "
        "walker on his worst days, instead of a weekly day-centre place he did not use.",
        (
            "J. had been offered a place at a day centre twice a week and went three times in "
            "six months. What got him out of the house was his dog, and what helped his mood "
            "was exercise, but on bad days he could do neither.",
            "With his support planner he set out the outcomes first: leave the house most days, "
            "sleep better, see people who were not professionals. Then they costed ways of "
            "getting there. An off-peak gym membership cost £22 a month; a local dog walker on "
            "up to eight bad days a month cost £96.",
            "The council agreed the plan because it met the outcomes for less than the day "
            "centre place. Six months on, J. goes to the gym three times a week and joined a "
            "walking group he met through the dog walker.",
            "If you hold a personal budget: start from what you want to change in your life, "
            "not from the services on offer. Ordinary things that anyone can buy can be in a "
            "support plan when they meet your agreed outcomes.",
        ),
    ),
    Seed(
        "Splitting a home-care contract into neighbourhood lots",
        EntryKind.WORKING_MODEL,
        (K.LOCAL_AUTHORITY, 0),
        (A.COUNCILLORS, A.PROVIDERS),
        ("commissioning", "lots", "home care", "small providers", "procurement"),
        ("washing-dressing", "reablement"),
        "Instead of one county-wide home-care contract, the council let six neighbourhood lots "
        "of about £400,000 each, and small and local providers won four of them.",
        (
            "The old contract was one framework for the whole county. Only large firms could "
            "cover every postcode, carers spent a third of their day driving, and people in "
            "the Moors waited weeks for a package.",
            "We drew lots around the six neighbourhoods, sized so that an organisation with "
            "thirty care workers could deliver one. Bidders could bid for one lot, several, or "
            "join a consortium; no pre-qualification questionnaire was used for the small "
            "reablement lot, which was under £100,000.",
            "Evaluation weighted quality and social value at 60% and price at 40%, and "
            "neighbourhood councils sat on each lot's evaluation panel.",
            "Results after a year: travel time per visit fell by a quarter, missed visits "
            "halved, and four of the six lots are delivered by a staff mutual, two local "
            "firms and a consortium of charities. The lesson: the size of a lot decides who "
            "can bid long before the evaluation does.",
        ),
    ),
    Seed(
        "What neighbourhood councillors need to know before commissioning",
        EntryKind.GUIDANCE,
        (K.LOCAL_AUTHORITY, 0),
        (A.COUNCILLORS,),
        ("commissioning", "neighbourhood budgets", "getting started", "social value"),
        (),
        "A short guide for councillors holding a neighbourhood budget: start from the needs "
        "assessment, decide what level to act at, keep it simple and publish what you decide.",
        (
            "Start from evidence. Read the joint needs assessment for your neighbourhood: which "
            "needs are greatest, for which groups, and how your area compares with the rest "
            "of the county.",
            "Decide the smallest level that works. Some needs are best met by people choosing "
            "with a personal budget, some by a neighbourhood grant or activity, and only the "
            "rest by a formal procurement. Write down why.",
            "Keep it proportionate. For small sums, a simple grant round or participatory "
            "budgeting vote is fairer and cheaper than a tender. Ask for no more information "
            "than you will actually use to decide.",
            "Value what matters. Ask what difference an activity makes to people's wellbeing, "
            "not only what it costs, and who benefits: the aim is to advantage the "
            "disadvantaged.",
            "Publish everything: what you funded, why, and what happened. Residents and "
            "providers can then hold you to account and learn from it.",
        ),
    ),
    Seed(
        "Forming a consortium of small providers to bid together",
        EntryKind.WORKING_MODEL,
        (K.MUTUAL, 0),
        (A.PROVIDERS,),
        ("consortium", "procurement", "small providers", "bidding"),
        ("day-opportunities", "befriending"),
        "How five small charities bid as one for a day-opportunities contract, with a lead "
        "partner holding the contract and a simple agreement sharing the work and the risk.",
        (
            "None of the five could deliver a county-wide contract alone, and each was too "
            "small to carry the financial checks. Together they covered every neighbourhood "
            "and most languages spoken locally.",
            "The lead partner holds the contract and the liability; the others are "
            "subcontracted on the same terms. A two-page consortium agreement sets out who "
            "delivers where, how referrals are shared, how money flows (within ten days of "
            "the council paying the lead) and how a partner can leave.",
            "Write the bid together but let one person hold the pen. Agree the price early, "
            "and agree what happens if you win only part of the work.",
            "The consortium won two of the three lots. Its members say the most valuable part "
            "was the shared training and safeguarding policy, which they now use for "
            "everything.",
        ),
    ),
    Seed(
        "Spinning out a public-service mutual: the first three years",
        EntryKind.CASE_STUDY,
        (K.MUTUAL, 0),
        (A.PROVIDERS, A.COUNCILLORS),
        ("mutual", "spin out", "governance", "home care"),
        ("reablement", "washing-dressing"),
        "The council's reablement team left to form a staff-owned mutual. What the transfer "
        "involved, what went wrong in the first year, and why staff turnover fell by half.",
        (
            "The team of 140 transferred under TUPE with their pensions protected. The council "
            "gave a three-year contract so the mutual could find its feet, on condition that "
            "it bid openly for the next one.",
            "Every member of staff holds one share and one vote. An elected staff council "
            "meets monthly with the board; two board seats are held by people who use the "
            "service.",
            "Year one was hard: new payroll, insurance and IT all at once, and cash flow was "
            "tight until the council moved to paying monthly in advance.",
            "By year three turnover had fallen from 31% to 15%, and the mutual had won a "
            "second contract from the NHS. Staff say the difference is being trusted to "
            "organise their own rounds.",
        ),
    ),
    Seed(
        "Ideas for a personal budget when you care for someone",
        EntryKind.GUIDANCE,
        (K.CHARITY, 0),
        (A.BUDGET_HOLDERS,),
        ("personal budget", "carers", "ideas", "respite"),
        ("respite", "sitting-service", "carers-advice"),
        "Carers' assessments can lead to a carer's personal budget. Ideas from carers we "
        "support about what made the biggest difference, from a sitting service to a bicycle.",
        (
            "A carer's budget is for you, not the person you care for. It should help you look "
            "after your own health and wellbeing and carry on caring if you want to.",
            "Things carers we support have used theirs for: a sitting service one evening a "
            "week so they could go to a choir; driving lessons; a bicycle; a laptop to keep "
            "in touch with family; a short break with a friend; a course of massage for back "
            "pain from lifting.",
            "Ask for a direct payment if you want to choose and pay for things yourself. You "
            "can ask someone to help you manage it.",
            "Keep receipts and a short note of how each thing helped: it makes the review "
            "easier and helps the next carer argue for something similar.",
        ),
    ),
    Seed(
        "Running a walking group on a small neighbourhood grant",
        EntryKind.CASE_STUDY,
        (K.COMMUNITY_GROUP, 1),
        (A.PROVIDERS, A.COUNCILLORS),
        ("small grants", "neighbourhood budgets", "exercise", "volunteering"),
        ("walking-groups", "social-isolation"),
        "A £1,800 neighbourhood grant paid for walk-leader training, first-aid kits and "
        "insurance. Two years on, 60 people walk each week and the group needs no more money.",
        (
            "We applied to the neighbourhood council's small grants round with a one-page "
            "form. The money paid for walk-leader training for six volunteers, first-aid kits, "
            "a year's insurance and printed route cards.",
            "Walks start from the library and the health centre, last an hour, and end at a "
            "café. GPs and social prescribers refer people who are getting active again.",
            "What made it last: more leaders than walks, so nobody has to lead every week, and "
            "routes short enough for someone using a stick.",
            "For councillors: small, simple grants with light reporting reach groups that "
            "would never bid for a contract.",
        ),
    ),
    Seed(
        "Measuring social value with wellbeing: a short guide for small providers",
        EntryKind.GUIDANCE,
        (K.NHS_BODY, 0),
        (A.PROVIDERS,),
        ("social value", "wellbeing", "bidding", "evaluation"),
        (),
        "Commissioners increasingly score social value. How a small provider can describe "
        "its difference in wellbeing terms without an expensive consultant.",
        (
            "Ask the people you support a simple question at the start and again after a few "
            "months: overall, how satisfied are you with your life nowadays, from 0 to 10?",
            "The change in that score, across the people you support and over a year, is your "
            "wellbeing effect. HM Treasury's Green Book guidance gives a money value for one "
            "point of life satisfaction for one person for one year (a WELLBY).",
            "Be honest about what would have happened anyway: compare with people waiting to "
            "start, or with published figures, and say so.",
            "In a bid, give the number of people, the average change, how you measured it and "
            "a short story. A clear, modest claim scores better than a large one with no "
            "method.",
        ),
    ),
    Seed(
        "Using a direct payment to employ a personal assistant",
        EntryKind.GUIDANCE,
        (K.SME, 0),
        (A.BUDGET_HOLDERS,),
        ("personal budget", "direct payments", "personal assistants", "employment"),
        ("washing-dressing", "shopping-errands"),
        "Employing your own personal assistant gives you choice over who helps you and when. "
        "What being an employer involves, and where to get help with payroll and insurance.",
        (
            "With a direct payment you can employ a personal assistant yourself, rather than "
            "having care workers sent by an agency. Many people choose someone who shares their "
            "interests or language.",
            "Being an employer means a contract, payroll, employer's liability insurance and a "
            "pension. A payroll service can do most of this for a small monthly fee, which the "
            "direct payment can cover.",
            "Plan for holidays and sickness: agree a back-up with a second assistant or an "
            "agency before you need one.",
            "We are a small home-support firm and often work alongside people's own "
            "assistants; the best arrangements are the ones where the person decides who does "
            "what.",
        ),
    ),
    Seed(
        "Sharing an accessible minibus between three day centres",
        EntryKind.WORKING_MODEL,
        (K.SME, 1),
        (A.PROVIDERS, A.COUNCILLORS),
        ("transport", "collaboration", "small providers"),
        ("accessible-transport", "community-transport", "day-opportunities"),
        "Three day centres pooled their transport budgets to share one accessible minibus and "
        "driver, timetabled so that each gets morning and afternoon runs.",
        (
            "Each centre had been paying for taxis, and people who use wheelchairs often waited "
            "the longest. Pooled, the three budgets paid for a lease, a driver and fuel.",
            "A shared online timetable shows the runs; centres swap slots by agreement. The "
            "bus is used for trips at weekends, which brings in a little income.",
            "The agreement is one page: who pays what, who is the driver's employer, what "
            "happens if the bus is off the road.",
        ),
    ),
    Seed(
        "Deaf-led lipreading classes funded by a neighbourhood budget",
        EntryKind.CASE_STUDY,
        (K.CHARITY, 3),
        (A.PROVIDERS, A.COUNCILLORS),
        ("deaf", "small grants", "neighbourhood budgets", "accessibility"),
        ("information", "social-isolation"),
        "Weekly lipreading classes taught by a deaf tutor, paid for from a neighbourhood "
        "budget after residents voted for them in a participatory budgeting round.",
        (
            "People who lose their hearing later in life often stop going out. Lipreading "
            "classes help, but the nearest were an hour's bus ride away.",
            "We put the idea to the neighbourhood's participatory budgeting vote, with a short "
            "film in BSL and subtitles. It came third of twenty ideas and was funded for a year.",
            "Classes are taught by a deaf tutor, which the learners say makes all the "
            "difference: she knows what it is like.",
        ),
        status=EntryStatus.SUBMITTED,
    ),
]


def _organisation(kind: str, index: int) -> Organisation | None:
    of_kind = list(Organisation.objects.filter(kind=kind).order_by("pk"))
    if of_kind:
        return of_kind[min(index, len(of_kind) - 1)]
    return Organisation.objects.order_by("pk").first()


def _author(organisation: Organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=organisation, role__in=WRITER_ROLES)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _moderator(author: User | None) -> User | None:
    moderators = Membership.objects.filter(role__in=MODERATOR_ROLES).select_related("user")
    if author is not None:
        moderators = moderators.exclude(user=author)
    membership = moderators.order_by("pk").first()
    return membership.user if membership else None


def _entry(spec: Seed, organisation: Organisation, weeks_ago: int) -> Entry:
    author = _author(organisation)
    when = timezone.now().replace(microsecond=0) - timedelta(weeks=weeks_ago)
    published = spec.status == EntryStatus.PUBLISHED
    moderator = _moderator(author) if published else None
    return Entry.objects.create(
        kind=spec.kind,
        title=spec.title,
        slug=slugify(spec.title),
        summary=spec.summary,
        body="\n\n".join((*spec.paragraphs, SYNTHETIC)),
        organisation=organisation,
        author=author,
        status=spec.status,
        submitted_at=when - timedelta(days=3),
        moderated_by=moderator,
        moderated_at=when if published else None,
        published_at=when if published else None,
        created_at=when - timedelta(days=5),
        updated_at=when,
    )


def seed_knowledge(seed: int = 2026) -> None:
    """The library for the demo county (the seed is not needed: nothing here is random)."""
    made = []
    terms = {t.code: t for t in TaxonomyTerm.objects.all()}
    for i, spec in enumerate(ENTRIES):
        organisation = _organisation(*spec.organisation)
        if organisation is None or Entry.objects.filter(slug=slugify(spec.title)).exists():
            continue
        entry = _entry(spec, organisation, weeks_ago=len(ENTRIES) - i)
        EntryAudience.objects.bulk_create(
            [EntryAudience(entry=entry, audience=a) for a in spec.audiences]
        )
        entry.tags.set(tags_named(spec.tags))
        entry.needs.set([terms[code] for code in spec.needs if code in terms])
        made.append(entry)
    if made:
        audit_record(
            actor=None,
            action="knowledge.seed",
            object_type="system",
            object_id="knowledge",
            summary={
                "entries": len(made),
                "published": sum(e.status == EntryStatus.PUBLISHED for e in made),
                "submitted": sum(e.status == EntryStatus.SUBMITTED for e in made),
                "synthetic": True,
            },
        )
