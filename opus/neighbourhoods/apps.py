from django.apps import AppConfig


class NeighbourhoodsConfig(AppConfig):
    name = "opus.neighbourhoods"
    label = "neighbourhoods"
    verbose_name = "Neighbourhoods"

    def ready(self) -> None:
        from opus.core.demo import DEMO_STEPS
        from opus.neighbourhoods.demo import seed_neighbourhoods
        from opus.neighbourhoods.demo_assets import seed_asset_register
        from opus.neighbourhoods.demo_grants import seed_grants

        DEMO_STEPS.append(seed_neighbourhoods)
        DEMO_STEPS.append(seed_grants)  # after the budgets it pays from
        DEMO_STEPS.append(seed_asset_register)
        from opus.neighbourhoods.demo_casework import seed_casework

        DEMO_STEPS.append(seed_casework)
