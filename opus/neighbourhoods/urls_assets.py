"""Routes of the register of public and community assets (joined to urls.py's namespace)."""

from django.urls import URLPattern, path

from opus.neighbourhoods import views_assets as views

urlpatterns: list[URLPattern] = [
    path("assets/", views.asset_register, name="asset_register"),
    path("assets/land/", views.land_register, name="land_register"),
    path("assets/asset-of-community-value.csv", views.asset_csv, name="asset_csv"),
    path("assets/asset-of-community-value.json", views.asset_json, name="asset_json"),
    path("assets/nominate/", views.asset_nominate, name="asset_nominate"),
    path("assets/neighbourhood/<slug:slug>/", views.asset_council, name="asset_council"),
    path("assets/<str:reference>/", views.asset_detail, name="asset_detail"),
    path("assets/<str:reference>/decide/", views.asset_decide, name="asset_decide"),
    path("assets/<str:reference>/review/", views.asset_review, name="asset_review"),
    path("assets/<str:reference>/notice/", views.asset_notice, name="asset_notice"),
    path("assets/<str:reference>/bid/", views.asset_bidder, name="asset_bidder"),
    path("assets/<str:reference>/exempt/", views.asset_exempt, name="asset_exempt"),
]
