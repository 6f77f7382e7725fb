"""Routes of councillors' casework (joined to urls.py's namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
