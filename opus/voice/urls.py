"""Voice pages: complaints here, feedback's routes (urls_feedback.py) share the namespace."""

from django.urls import URLPattern, path  # noqa: F401

from opus.voice import urls_feedback

app_name = "voice"

urlpatterns: list[URLPattern] = []
urlpatterns += urls_feedback.urlpatterns
