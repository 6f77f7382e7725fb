"""Allocation pages: each part's routes live in urls_<part>.py and share this namespace."""

from django.urls import URLPattern

from opus.allocation import urls_monitor, urls_optimiser, urls_runs, urls_social_value

app_name = "allocation"

urlpatterns: list[URLPattern] = [
    *urls_runs.urlpatterns,
    *urls_optimiser.urlpatterns,
    *urls_social_value.urlpatterns,
    *urls_monitor.urlpatterns,
]
