from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "opus.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning and open procurement"

    def ready(self) -> None:
        from opus.commissioning.demo import seed_commissioning
        from opus.core.demo import DEMO_STEPS

        DEMO_STEPS.append(seed_commissioning)
