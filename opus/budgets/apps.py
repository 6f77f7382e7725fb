from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "opus.budgets"
    label = "budgets"
    verbose_name = "Personal budgets"
