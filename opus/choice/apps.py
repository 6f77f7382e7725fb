from django.apps import AppConfig


class ChoiceConfig(AppConfig):
    name = "opus.choice"
    label = "choice"
    verbose_name = "Choice: needs profiles, shortlists, bookings and assisted choice"
