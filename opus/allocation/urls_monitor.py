"""The postcode-lottery monitor's public pages (opus/allocation/views_monitor.py)."""

from django.urls import URLPattern, path

from opus.allocation import views_monitor as views

urlpatterns: list[URLPattern] = [
    path("monitor/", views.monitor_page, name="monitor"),
    path("monitor/areas.csv", views.monitor_areas_csv, name="monitor_areas_csv"),
    path("monitor/history.csv", views.monitor_history_csv, name="monitor_history_csv"),
]
