from django.apps import AppConfig


class NeighbourhoodsConfig(AppConfig):
    name = "opus.neighbourhoods"
    label = "neighbourhoods"
    verbose_name = "Neighbourhoods"
