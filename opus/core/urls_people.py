"""Routes for people pages, joined to core's under the `core:` namespace (see core/urls.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
