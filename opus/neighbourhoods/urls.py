"""Neighbourhood pages; the asset register's routes (urls_assets.py) share the namespace."""

from django.urls import URLPattern, path

from opus.neighbourhoods import urls_assets, views

app_name = "neighbourhoods"

urlpatterns: list[URLPattern] = [
    path("pb/", views.process_list, name="pb_list"),
    path("pb/<int:pk>/", views.process_detail, name="pb_detail"),
    path("pb/<int:pk>/propose/", views.process_propose, name="pb_propose"),
    path("pb/<int:pk>/vote/", views.process_vote, name="pb_vote"),
    path("pb/<int:pk>/paper/", views.process_paper, name="pb_paper"),
    path("pb/<int:pk>/step/", views.process_step, name="pb_step"),
    path("pb/<int:pk>/election.pb", views.process_pabulib, name="pb_pabulib"),
]
urlpatterns += urls_assets.urlpatterns
