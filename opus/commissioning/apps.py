from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "opus.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning and open procurement"
