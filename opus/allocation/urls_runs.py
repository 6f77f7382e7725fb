"""Allocation runs: formulas, runs, waterfalls, publishing and open data."""

from django.urls import URLPattern, path

from opus.allocation import views_runs as views

urlpatterns: list[URLPattern] = [
    path("runs/", views.run_list, name="run_list"),
    path("formulas/new/", views.formula_new, name="formula_new"),
    path("formulas/<int:pk>/", views.formula_detail, name="formula_detail"),
    path("formulas/<int:pk>/edit/", views.formula_edit, name="formula_edit"),
    path("formulas/<int:pk>/run/", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/areas/<str:code>/", views.run_area, name="run_area"),
    path("runs/<int:pk>/allocation.csv", views.run_csv, name="run_csv"),
    path("runs/<int:pk>/allocation.json", views.run_json_download, name="run_json"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
]
