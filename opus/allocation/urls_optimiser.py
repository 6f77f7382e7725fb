"""Routes of one part (placeholder filled by the part that owns it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
