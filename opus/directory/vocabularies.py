"""Vocabularies the directory adds to Open Referral for matching: circumstances and access.

Codes are stable (stored and sent in the API as attributes); labels are what people read.
"""

from django.utils.translation import gettext_lazy as _

CIRCUMSTANCES = {
    "carer": "Unpaid carer",
    "young-carer": "Young carer",
    "older-person": "Older person (65 and over)",
    "physical-disability": "Physical disability",
    "learning-disability": "Learning disability",
    "autism": "Autistic person",
    "dementia": "Living with dementia",
    "mental-health": "Mental health condition",
    "sensory-impairment": "Sight or hearing loss",
    "long-term-condition": "Long-term health condition",
    "low-income": "On a low income",
    "homeless": "Homeless or at risk of homelessness",
    "care-leaver": "Care leaver",
    "veteran": "Armed forces veteran",
    "refugee": "Refugee or seeking asylum",
    "bereaved": "Recently bereaved",
    "pregnant": "Pregnant or new parent",
    "domestic-abuse": "Affected by domestic abuse",
}

ACCESSIBILITY = {
    "step-free": "Step-free access",
    "accessible-toilet": "Accessible toilet",
    "changing-places": "Changing Places toilet",
    "hearing-loop": "Hearing loop",
    "bsl": "British Sign Language",
    "easy-read": "Easy read information",
    "large-print": "Large print",
    "quiet-space": "Quiet space",
    "parking": "Blue Badge parking",
    "assistance-dogs": "Assistance dogs welcome",
    "interpreters": "Interpreters available",
}

DELIVERY = {
    "in-person": "In person at a place",
    "at-home": "At your home",
    "online": "Online or by phone",
}

LANGUAGES = {
    "en": "English", "cy": "Welsh", "ur": "Urdu", "pa": "Punjabi", "bn": "Bengali",
    "pl": "Polish", "ro": "Romanian", "ar": "Arabic", "so": "Somali", "gu": "Gujarati",
    "zh": "Chinese", "pt": "Portuguese", "bfi": "British Sign Language",
}  # fmt: skip

# iCalendar's day codes (Schedule.byday holds them, like "TH,WE"), in week order.
DAYS = {
    "MO": _("Monday"), "TU": _("Tuesday"), "WE": _("Wednesday"), "TH": _("Thursday"),
    "FR": _("Friday"), "SA": _("Saturday"), "SU": _("Sunday"),
}  # fmt: skip

# Every vocabulary whose codes people must never read: a code maps to its words here.
_LABELS = {**DELIVERY, **CIRCUMSTANCES, **ACCESSIBILITY}


def day_names(codes: str | list[str] | tuple[str, ...] | None) -> str:
    """Day codes as words in week order: "TH,WE" → "Wednesday, Thursday"."""
    if not codes:
        return ""
    given = codes.split(",") if isinstance(codes, str) else list(codes)
    wanted = {c.strip().upper() for c in given if c.strip()}
    order = list(DAYS)
    known = [str(DAYS[c]) for c in order if c in wanted]
    unknown = sorted(c for c in wanted if c not in DAYS)
    return ", ".join(known + unknown)


def vocabulary_label(code: str) -> str:
    """A vocabulary key as words ("hearing-loop" → "Hearing loop"); an unknown key is made
    readable rather than shown raw."""
    if code in _LABELS:
        return _LABELS[code]
    if code in LANGUAGES:
        return LANGUAGES[code]
    words = code.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
