"""Neighbourhood pages; the asset register's routes (urls_assets.py) share the namespace."""

from django.urls import URLPattern, path

from opus.neighbourhoods import (
    urls_assets,
    urls_casework,
    urls_grants,
    views,
    views_councils,
    views_photos,
)

app_name = "neighbourhoods"

urlpatterns: list[URLPattern] = [
    path("pb/", views.process_list, name="pb_list"),
    path("pb/new/<slug:council>/", views.process_new, name="pb_new"),
    path("pb/<int:pk>/", views.process_detail, name="pb_detail"),
    path("pb/<int:pk>/projects/<int:project>/review/", views.project_review, name="pb_review"),
    path(
        "pb/<int:pk>/projects/<int:project>/delivery/", views.project_delivery, name="pb_delivery"
    ),
    path("pb/<int:pk>/void/", views.ballot_void, name="pb_void"),
    path(
        "pb/<int:pk>/projects/<int:project>/photos/add/",
        views_photos.photo_add,
        name="pb_photo_add",
    ),
    path("pb/<int:pk>/photos/<int:photo>/", views_photos.photo_file, name="pb_photo"),
    path("money/<slug:council>/", views.council_money, name="council_money"),
    path("council/<slug:council>/meetings/", views.council_meetings, name="council_meetings"),
    path("council/<slug:council>/manage/", views_councils.council_manage, name="council_manage"),
    path(
        "council/<slug:council>/meetings/new/",
        views_councils.meeting_new,
        name="council_meeting_new",
    ),
    path(
        "council/<slug:council>/meetings/<int:meeting>/decide/",
        views_councils.meeting_decide,
        name="council_decide",
    ),
    path(
        "council/<slug:council>/meetings/<int:meeting>/minutes/",
        views_councils.minutes_publish,
        name="council_minutes",
    ),
    path(
        "council/<slug:council>/declare/", views_councils.interest_declare, name="council_declare"
    ),
    path(
        "council/<slug:council>/offers/<int:offer>/open-round/",
        views_councils.grant_offer_open,
        name="grant_offer_open",
    ),
    path("pb/<int:pk>/propose/", views.process_propose, name="pb_propose"),
    path("pb/<int:pk>/vote/", views.process_vote, name="pb_vote"),
    path("pb/<int:pk>/paper/", views.process_paper, name="pb_paper"),
    path("pb/<int:pk>/step/", views.process_step, name="pb_step"),
    path("pb/<int:pk>/election.pb", views.process_pabulib, name="pb_pabulib"),
]
urlpatterns += urls_assets.urlpatterns
urlpatterns += urls_grants.urlpatterns
urlpatterns += urls_casework.urlpatterns
