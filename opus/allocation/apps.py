from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "opus.allocation"
    label = "allocation"
    verbose_name = "Fairness in money"

    def ready(self) -> None:
        from opus.allocation.demo_monitor import seed_monitor
        from opus.allocation.demo_runs import seed_allocation_runs
        from opus.allocation.demo_social_value import seed_social_value
        from opus.core.demo import DEMO_STEPS

        DEMO_STEPS.append(seed_allocation_runs)  # after neighbourhoods: drives their budgets
        DEMO_STEPS.append(seed_social_value)  # after commissioning: awarded contracts
        DEMO_STEPS.append(seed_monitor)  # last: reads bookings, budgets, grants and PB
