from django.apps import AppConfig


class ChoiceConfig(AppConfig):
    name = "opus.choice"
    label = "choice"
    verbose_name = "Choice: needs profiles, shortlists, bookings and assisted choice"

    def ready(self) -> None:
        from opus.choice.demo import seed_choice
        from opus.core.demo import DEMO_STEPS

        DEMO_STEPS.append(seed_choice)
