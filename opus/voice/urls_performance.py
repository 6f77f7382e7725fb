"""Public performance routes: the funnel plot and the transparency page (joined to urls.py)."""

from django.urls import URLPattern, path

from opus.voice import views_performance as views

urlpatterns: list[URLPattern] = [
    path("performance/", views.performance_page, name="performance"),
    path("performance/complaints.csv", views.performance_csv, name="performance_csv"),
    path("transparency/", views.transparency_page, name="transparency"),
    path("transparency/<slug:table>.csv", views.transparency_csv, name="transparency_csv"),
]
