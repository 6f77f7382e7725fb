"""Routes of the register of public and community assets (joined to urls.py's namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
