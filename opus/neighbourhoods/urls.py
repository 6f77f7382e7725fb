"""Neighbourhood pages; the asset register's routes (urls_assets.py) share the namespace."""

from django.urls import URLPattern, path  # noqa: F401

from opus.neighbourhoods import urls_assets

app_name = "neighbourhoods"

urlpatterns: list[URLPattern] = []
urlpatterns += urls_assets.urlpatterns
