"""Routes of small grants (joined to urls.py's namespace)."""

from django.urls import URLPattern, path

from opus.neighbourhoods import views_grants as views

urlpatterns: list[URLPattern] = [
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/deciles/", views.grant_deciles, name="grant_deciles"),
    path("grants/rounds/new/<slug:council>/", views.round_new, name="grant_round_new"),
    path("grants/rounds/<int:pk>/apply/", views.round_apply, name="grant_apply"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/declare/", views.grant_declare, name="grant_declare"),
    path("grants/<int:pk>/pay/", views.grant_pay, name="grant_pay"),
    path("grants/<int:pk>/monitor/", views.grant_monitor, name="grant_monitor"),
]
