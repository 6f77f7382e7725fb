"""Routes of one part (a placeholder filled by the part that owns it; joined to urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
