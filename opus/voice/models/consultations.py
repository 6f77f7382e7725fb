"""Consultations and co-design: how people shape services, not only rate them.

A consultation belongs to the body that runs it (a council, an NHS body, a neighbourhood
council); anyone may respond while it is open, signed in or not. Equality-monitoring answers
sit on the response only when the person consented, and are published only in groups of at
least ten. A published "you said, we did" closes it.

A co-design group of residents with lived experience is attached to one service decision of
a commissioning plan; its meetings and recommendations, with the commissioner's response to
each, are shown beside the decision.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Organisation, User

__all__ = [
    "ANSWER_MAX",
    "PREFER_NOT",
    "AGREE_SCALE",
    "AgeBand",
    "Answer",
    "CodesignGroup",
    "CodesignMeeting",
    "CodesignMember",
    "Consultation",
    "ConsultationDocument",
    "ConsultationStatus",
    "Disability",
    "EthnicGroup",
    "Question",
    "QuestionKind",
    "Recommendation",
    "RecommendationResponse",
    "Response",
    "Sex",
    "Theme",
]

ANSWER_MAX = 2000  # characters in one free-text answer
PREFER_NOT = "prefer_not"
AGREE_SCALE: tuple[str, ...] = (
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
)


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CONCLUDED = "concluded", _("Closed with “you said, we did”")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Free text")
    SINGLE = "single", _("Choose one")
    MULTIPLE = "multiple", _("Choose any")
    AGREE = "agree", _("Agree or disagree")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    A18_24 = "18_24", _("18 to 24")
    A25_34 = "25_34", _("25 to 34")
    A35_49 = "35_49", _("35 to 49")
    A50_64 = "50_64", _("50 to 64")
    A65_74 = "65_74", _("65 to 74")
    A75_PLUS = "75_plus", _("75 or over")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


class Disability(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


class EthnicGroup(models.TextChoices):
    """The ONS's five high-level ethnic groups (Census 2021, England and Wales)."""

    ASIAN = "asian", _("Asian, Asian British or Asian Welsh")
    BLACK = "black", _("Black, Black British, Black Welsh, Caribbean or African")
    MIXED = "mixed", _("Mixed or multiple ethnic groups")
    WHITE = "white", _("White")
    OTHER = "other", _("Other ethnic group")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


class Consultation(models.Model):
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consultations")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    you_said_we_did = models.TextField(blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closes_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="consultation_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="concluded") | ~models.Q(you_said_we_did=""),
                name="consultation_concluded_with_response",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return (
            self.status == ConsultationStatus.PUBLISHED and self.opens_on <= day <= self.closes_on  # type: ignore[operator]
        )

    def has_closed(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.status != ConsultationStatus.DRAFT and self.closes_on < day  # type: ignore[operator]

    @property
    def stage(self) -> str:
        """In words, for lists: draft, not open yet, open, closed, or concluded."""
        if self.status == ConsultationStatus.DRAFT:
            return str(_("Draft"))
        if self.status == ConsultationStatus.CONCLUDED:
            return str(_("Closed: you said, we did"))
        today = timezone.localdate()
        if today < self.opens_on:
            return str(_("Not open yet"))
        return str(_("Open")) if today <= self.closes_on else str(_("Closed: being considered"))


class ConsultationDocument(models.Model):
    """A document to read before responding: a link to where it is published."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    options = models.JSONField(default=list, blank=True, help_text="For the choice kinds")
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="question_position_once"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def choices(self) -> list[str]:
        """The options a respondent picks from (the agree scale for that kind)."""
        if self.kind == QuestionKind.AGREE:
            return [str(_(label)) for label in AGREE_SCALE]
        return [str(option) for option in self.options]


class Response(models.Model):
    """One person's answers. Anonymous responses keep only keyed digests of the browser
    session and the address, to refuse a second response from either."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="responses"
    )
    respondent = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_responses",
    )
    email = models.EmailField(blank=True, help_text="To be told the outcome; optional")
    session_digest = models.CharField(max_length=64, blank=True)
    address_digest = models.CharField(max_length=64, blank=True)
    equality_consent = models.BooleanField(default=False)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    disability = models.CharField(max_length=10, choices=Disability.choices, blank=True)
    ethnic_group = models.CharField(max_length=10, choices=EthnicGroup.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="response_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["consultation", "session_digest"],
                condition=~models.Q(session_digest=""),
                name="response_once_per_session",
            ),
            # Equality answers are kept only with the person's consent.
            models.CheckConstraint(
                condition=models.Q(equality_consent=True)
                | models.Q(age_band="", sex="", disability="", ethnic_group=""),
                name="response_equality_with_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.consultation_id}"


class Theme(models.Model):
    """A theme an officer finds in the free-text answers, to count how often it comes up."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name"], name="theme_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    chosen = models.JSONField(default=list, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="answers")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


# --- Co-design ----------------------------------------------------------------------------


class CodesignGroup(models.Model):
    decision = models.ForeignKey(
        "commissioning.ServiceDecision", on_delete=models.CASCADE, related_name="codesign_groups"
    )
    name = models.CharField(max_length=200)
    purpose = models.TextField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CodesignMember(models.Model):
    """A resident with lived experience, who consented to take part (and, separately, to
    their name being shown)."""

    group = models.ForeignKey(CodesignGroup, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    experience = models.CharField(max_length=300, help_text="The lived experience they bring")
    consented_on = models.DateField()
    name_shown = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CodesignMeeting(models.Model):
    group = models.ForeignKey(CodesignGroup, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    notes = models.TextField()

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on}"


class RecommendationResponse(models.TextChoices):
    WAITING = "", _("Waiting for the commissioner's response")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    NOT_ACCEPTED = "not", _("Not accepted")


class Recommendation(models.Model):
    group = models.ForeignKey(
        CodesignGroup, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField()
    response = models.CharField(
        max_length=10, choices=RecommendationResponse.choices, blank=True, default=""
    )
    reason = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response="") | ~models.Q(reason=""),
                name="recommendation_response_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.text[:50]
