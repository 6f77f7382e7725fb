"""Question pages for providers: one section of a service at a time, GOV.UK style."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm, PostcodeField
from opus.core.models import Area, AreaKind, Postcode
from opus.directory.models import CostUnit, Service, ServiceStatus, TaxonomyTerm
from opus.directory.vocabularies import ACCESSIBILITY, CIRCUMSTANCES, DELIVERY, LANGUAGES

DAYS = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]


class DetailsForm(GovukForm):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the service's name"})
    description = forms.CharField(
        widget=forms.Textarea,
        help_text="What the service does, for whom, and what a first visit is like",
        error_messages={"required": "Describe the service"},
    )
    status = forms.ChoiceField(choices=ServiceStatus.choices, initial=ServiceStatus.ACTIVE)
    url = forms.URLField(label="Web page", required=False, assume_scheme="https")
    email = forms.EmailField(label="E-mail address", required=False)
    application_process = forms.CharField(
        widget=forms.Textarea, required=False, label="How to start using the service"
    )


class EligibilityForm(GovukForm):
    minimum_age = forms.IntegerField(
        min_value=0,
        max_value=130,
        required=False,
        label="Youngest age (years)",
        error_messages={
            "min_value": "The youngest age must be 0 or more",
            "max_value": "The youngest age must be 130 or less",
        },
    )
    maximum_age = forms.IntegerField(
        min_value=0,
        max_value=130,
        required=False,
        label="Oldest age (years)",
        error_messages={
            "min_value": "The oldest age must be 0 or more",
            "max_value": "The oldest age must be 130 or less",
        },
    )
    circumstances = forms.MultipleChoiceField(
        choices=list(CIRCUMSTANCES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Only for people in these circumstances (leave empty if it is for anyone)",
    )
    residency_area = forms.ModelChoiceField(
        queryset=Area.objects.filter(kind__in=[AreaKind.LOCAL_AUTHORITY, AreaKind.NEIGHBOURHOOD]),
        required=False,
        empty_label="Anyone, wherever they live",
        label="Only for people who live in",
    )
    referral_required = forms.BooleanField(required=False, label="People need a referral")
    eligibility_description = forms.CharField(
        widget=forms.Textarea, required=False, label="Anything else about who can use it"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "The oldest age must be the same as or above the youngest"
            )
        return data


class NeedsForm(GovukForm):
    terms = forms.ModelMultipleChoiceField(
        queryset=TaxonomyTerm.objects.filter(parent__isnull=False).select_related("parent"),
        widget=forms.CheckboxSelectMultiple,
        label="Needs this service meets",
        error_messages={"required": "Choose at least one need the service meets"},
    )


HOME_AREA_KINDS = [AreaKind.LOCAL_AUTHORITY, AreaKind.WARD, AreaKind.NEIGHBOURHOOD]


class HomeAreasField(forms.ModelMultipleChoiceField):
    """Areas a home service covers, named with their kind ("Eastfield (ward)")."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class WhereForm(GovukForm):
    delivery = forms.MultipleChoiceField(
        choices=list(DELIVERY.items()),
        widget=forms.CheckboxSelectMultiple,
        label="How people use the service",
        error_messages={"required": "Choose at least one way people use the service"},
    )
    place_name = forms.CharField(max_length=200, required=False, label="Name of the place")
    address_1 = forms.CharField(max_length=200, required=False, label="Address line")
    city = forms.CharField(max_length=100, required=False, label="Town or city")
    postal_code = PostcodeField(required=False, label="Postcode")
    accessibility = forms.MultipleChoiceField(
        choices=list(ACCESSIBILITY.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Access at this place",
    )
    home_areas = HomeAreasField(
        queryset=Area.objects.filter(kind__in=HOME_AREA_KINDS).order_by("kind", "name", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Where it visits people at home (leave empty if it visits anywhere)"),
    )
    home_base = PostcodeField(
        required=False,
        label=_("Or as well: it visits homes within a distance of this postcode"),
        help_text=_("For example, the postcode of your office"),
    )
    home_radius_miles = forms.DecimalField(
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("62"),
        decimal_places=1,
        label=_("How far from that postcode (miles)"),
        error_messages={
            "min_value": _("The distance must be 0.1 miles or more"),
            "max_value": _("The distance must be 62 miles or less"),
            "invalid": _("Enter the distance as a number of miles, like 3 or 2.5"),
            "max_decimal_places": _("Give the distance to a tenth of a mile, like 2.5"),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("home_areas") and "at-home" not in (data.get("delivery") or []):
            self.add_error(
                "home_areas",
                _("Choose 'At your home' as a way people use it, or leave the areas empty"),
            )
        self._clean_radius(data)
        if "in-person" in (data.get("delivery") or []):
            for field, message in (
                ("place_name", "Enter the name of the place"),
                ("postal_code", "Enter the place's postcode"),
            ):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, message)
        return data

    def _clean_radius(self, data: dict[str, Any]) -> None:
        """A base postcode and a distance come together, for a service visiting homes."""
        base, miles = data.get("home_base"), data.get("home_radius_miles")
        if "home_base" in self.errors or "home_radius_miles" in self.errors:
            return
        if base and miles is None:
            self.add_error("home_radius_miles", _("Enter how far from the postcode it visits"))
        elif miles is not None and not base:
            self.add_error("home_base", _("Enter the postcode it visits homes around"))
        elif base and "at-home" not in (data.get("delivery") or []):
            self.add_error(
                "home_base",
                _("Choose 'At your home' as a way people use it, or leave the postcode empty"),
            )
        elif base and not Postcode.objects.filter(postcode=base).exists():
            self.add_error(
                "home_base", _("We do not know where %(code)s is: check it") % {"code": base}
            )


class WhenForm(GovukForm):
    days = forms.MultipleChoiceField(
        choices=DAYS, widget=forms.CheckboxSelectMultiple, required=False, label="Days it runs"
    )
    opens_at = forms.TimeField(
        required=False,
        label="Opens at",
        help_text="For example, 09:30",
        error_messages={"invalid": "Enter a time like 09:30"},
    )
    closes_at = forms.TimeField(
        required=False,
        label="Closes at",
        help_text="For example, 16:00",
        error_messages={"invalid": "Enter a time like 16:00"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The closing time must be after the opening time")
        return data


class CostForm(GovukForm):
    free = forms.BooleanField(required=False, label="The service is free")
    amount = forms.CharField(
        required=False, max_length=12, label="Price in pounds", help_text="For example, 18.50"
    )
    unit = forms.ChoiceField(choices=CostUnit.choices, label="Per", required=False)
    option = forms.CharField(max_length=200, required=False, label="What the price covers")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("free"):
            data["amount_pence"] = None
            return data
        try:
            pounds = Decimal((data.get("amount") or "").replace("£", "").replace(",", "").strip())
        except InvalidOperation:
            self.add_error("amount", "Enter the price in pounds, like 18.50, or say it is free")
            return data
        if pounds < 0 or pounds != pounds.quantize(Decimal("0.01")):
            self.add_error("amount", "Enter the price in pounds and pence, like 18.50")
            return data
        data["amount_pence"] = int(pounds * 100)
        if not data.get("unit"):
            self.add_error("unit", "Choose what the price is for")
        return data


class LanguagesForm(GovukForm):
    languages = forms.MultipleChoiceField(
        choices=list(LANGUAGES.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Languages the service works in",
        error_messages={"required": "Choose at least one language"},
    )


class CapacityForm(GovukForm):
    capacity = forms.IntegerField(min_value=0, required=False, label="Places in total")
    vacancies = forms.IntegerField(min_value=0, required=False, label="Places free now")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        total, free = data.get("capacity"), data.get("vacancies")
        if total is not None and free is not None and free > total:
            self.add_error("vacancies", "There cannot be more places free than places in total")
        return data


def initial_for(section: str, service: Service) -> dict[str, Any]:
    """What a section's form shows before the provider changes anything."""
    if section == "details":
        fields = ["name", "description", "status", "url", "email", "application_process"]
        return {f: getattr(service, f) for f in fields}
    if section == "eligibility":
        fields = [
            "minimum_age",
            "maximum_age",
            "circumstances",
            "residency_area",
            "referral_required",
            "eligibility_description",
        ]
        return {f: getattr(service, f) for f in fields}
    if section == "needs":
        return {"terms": list(service.terms.all())}
    if section == "where":
        place = next((s.location for s in service.at_locations.select_related("location")), None)
        return {
            "delivery": service.delivery,
            "home_areas": [a.area for a in service.areas.select_related("area") if a.area],
            **_radius_initial(service),
            **(
                {
                    "place_name": place.name,
                    "address_1": place.address_1,
                    "city": place.city,
                    "postal_code": place.postal_code,
                    "accessibility": place.accessibility,
                }
                if place
                else {}
            ),
        }
    if section == "when":
        schedule = service.schedules.first()
        if schedule is None:
            return {}
        days = schedule.byday.split(",") if schedule.byday else []
        return {"days": days, "opens_at": schedule.opens_at, "closes_at": schedule.closes_at}
    if section == "cost":
        cost = service.cost_options.first()
        if cost is None:
            return {"free": True}
        return {
            "amount": f"{cost.amount_pence / 100:.2f}",
            "unit": cost.unit,
            "option": cost.option,
        }
    if section == "languages":
        return {"languages": [lang.code for lang in service.languages.all()]}
    return {"capacity": service.capacity, "vacancies": service.vacancies}


SECTIONS = {
    "details": ("About the service", DetailsForm),
    "eligibility": ("Who it is for", EligibilityForm),
    "needs": ("Needs it meets", NeedsForm),
    "where": ("Where and how", WhereForm),
    "when": ("When it runs", WhenForm),
    "cost": ("What it costs", CostForm),
    "languages": ("Languages", LanguagesForm),
    "capacity": ("Places", CapacityForm),
}


def _radius_initial(service: Service) -> dict[str, Any]:
    """The base postcode and miles of the radius a service visits homes within, if any."""
    radius = service.areas.filter(radius_m__isnull=False).first()
    if radius is None or radius.radius_m is None:
        return {}
    miles = (Decimal(radius.radius_m) / Decimal("1609.344")).quantize(Decimal("0.1"))
    return {"home_base": radius.name, "home_radius_miles": miles}
