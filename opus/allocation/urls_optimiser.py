"""The optimiser's page (opus/allocation/views_optimiser.py)."""

from django.urls import URLPattern, path

from opus.allocation import views_optimiser as views

urlpatterns: list[URLPattern] = [
    path("optimiser/", views.optimiser_page, name="optimiser"),
]
