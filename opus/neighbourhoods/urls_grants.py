"""Routes of small grants (joined to urls.py's namespace)."""

from django.urls import URLPattern, path

from opus.neighbourhoods import views_grants

urlpatterns: list[URLPattern] = [
    path("grants/", views_grants.grant_list, name="grant_list"),
    path("grants/<int:pk>/", views_grants.grant_detail, name="grant_detail"),
]
