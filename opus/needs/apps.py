from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "opus.needs"
    label = "needs"
    verbose_name = "Joint equalities needs assessment"

    def ready(self) -> None:
        from opus.core.demo import DEMO_STEPS
        from opus.needs.demo import seed_needs

        DEMO_STEPS.append(seed_needs)
