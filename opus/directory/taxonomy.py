"""Opus's local needs taxonomy: about 60 terms in two levels, with stable UUIDs.

The ids are UUID5s of the codes, so every installation gives a term the same id and
feeds that use them stay comparable. Other taxonomies (such as the LGA's) can be
imported beside it.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c1f0e-8a57-4d3e-9a59-0b9d6c5e1a01")
TAXONOMY_NAME = "Opus local needs"
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy:opus-needs")

TERMS: dict[str, tuple[str, dict[str, str]]] = {
    "daily-living": ("Daily living", {
        "shopping-errands": "Shopping and errands",
        "meals": "Meals and cooking",
        "cleaning-laundry": "Cleaning and laundry",
        "money-management": "Managing money and bills",
        "home-adaptations": "Home adaptations and equipment",
        "telecare": "Telecare and alarms",
    }),
    "personal-care": ("Personal care", {
        "washing-dressing": "Washing and dressing",
        "medication-support": "Help with medication",
        "night-care": "Night care",
        "reablement": "Reablement after hospital",
        "continence": "Continence support",
    }),
    "social-activity": ("Social activity", {
        "befriending": "Befriending",
        "lunch-clubs": "Lunch clubs",
        "day-opportunities": "Day opportunities",
        "arts-culture": "Arts and culture",
        "sport-exercise": "Sport and exercise",
        "walking-groups": "Walking groups",
        "gardening": "Gardening",
    }),
    "carers-support": ("Carers' support", {
        "respite": "Short breaks and respite",
        "carers-groups": "Carers' groups",
        "carers-advice": "Advice for carers",
        "sitting-service": "Sitting services",
    }),
    "mental-wellbeing": ("Mental wellbeing", {
        "peer-support": "Peer support",
        "counselling": "Counselling and talking therapies",
        "crisis-support": "Crisis support",
        "social-isolation": "Loneliness and social isolation",
        "bereavement": "Bereavement support",
    }),
    "employment": ("Employment and learning", {
        "supported-employment": "Supported employment",
        "volunteering": "Volunteering",
        "skills-training": "Skills and training",
        "digital-skills": "Digital skills",
    }),
    "housing": ("Housing", {
        "housing-advice": "Housing advice",
        "supported-housing": "Supported housing",
        "homelessness-support": "Homelessness support",
        "tenancy-support": "Tenancy support",
        "warm-homes": "Warm homes and energy",
    }),
    "advice": ("Advice and advocacy", {
        "benefits-advice": "Benefits advice",
        "debt-advice": "Debt advice",
        "advocacy": "Advocacy",
        "legal-advice": "Legal advice",
        "information": "Information and signposting",
    }),
    "transport": ("Transport", {
        "community-transport": "Community transport",
        "accessible-transport": "Accessible transport",
        "travel-training": "Travel training",
    }),
    "health": ("Health and living well", {
        "healthy-eating": "Healthy eating",
        "stop-smoking": "Stopping smoking",
        "falls-prevention": "Falls prevention",
        "long-term-conditions": "Living with a long-term condition",
        "dementia-support": "Dementia support",
    }),
    "children-families": ("Children and families", {
        "early-years": "Early years",
        "parenting": "Parenting support",
        "young-people": "Youth activities",
        "send-support": "Support for special educational needs",
    }),
    "safety": ("Staying safe", {
        "domestic-abuse-support": "Domestic abuse support",
        "scams-awareness": "Scams awareness",
        "safeguarding": "Safeguarding",
    }),
}  # fmt: skip


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{code}")


def rows() -> list[dict[str, object]]:
    """Every term as plain data: id, code, name, parent id (None for the top level)."""
    found: list[dict[str, object]] = []
    for parent, (name, children) in TERMS.items():
        found.append({"id": term_id(parent), "code": parent, "name": name, "parent_id": None})
        found += [
            {"id": term_id(code), "code": code, "name": label, "parent_id": term_id(parent)}
            for code, label in children.items()
        ]
    return found


# Words people use, mapped to the words services use; the matching search expands them.
SYNONYMS = {
    "shopping": ["errands", "groceries"],
    "lonely": ["loneliness", "social isolation", "befriending"],
    "loneliness": ["lonely", "social isolation", "befriending"],
    "carer": ["caring", "respite"],
    "break": ["respite", "short breaks"],
    "job": ["employment", "work"],
    "work": ["employment", "job"],
    "money": ["benefits", "debt", "bills"],
    "walk": ["walking", "exercise"],
    "memory": ["dementia"],
    "sad": ["depression", "wellbeing", "counselling"],
}
