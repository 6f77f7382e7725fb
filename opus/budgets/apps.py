from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "opus.budgets"
    label = "budgets"
    verbose_name = "Personal budgets"

    def ready(self) -> None:
        from opus.budgets.demo import seed_budgets
        from opus.budgets.hooks import commit_on_acceptance
        from opus.choice.signals import booking_accepted
        from opus.core.demo import DEMO_STEPS

        booking_accepted.connect(commit_on_acceptance, dispatch_uid="budgets.commit")
        DEMO_STEPS.append(seed_budgets)
