from django.urls import path

from opus.needs import views

app_name = "needs"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_new, name="assessment_new"),
    path("upload/", views.upload, name="upload"),
    path("upload/jobs/<uuid:job_id>/", views.upload_job, name="upload_job"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<slug:slug>/", views.indicator_detail, name="indicator_detail"),
    path(
        "indicators/<slug:slug>/delegations/",
        views.delegation_grant,
        name="delegation_grant",
    ),
    path(
        "indicators/<slug:slug>/delegations/<int:delegation_id>/revoke/",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
    path("<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("<int:assessment_id>/compute/", views.assessment_compute, name="assessment_compute"),
    path("<int:assessment_id>/publish/", views.assessment_publish, name="assessment_publish"),
    path(
        "<int:assessment_id>/priorities/<int:priority_id>/note/",
        views.priority_note,
        name="priority_note",
    ),
    path(
        "<int:assessment_id>/indicators/<slug:slug>/",
        views.indicator_result,
        name="indicator_result",
    ),
    path(
        "<int:assessment_id>/indicators/<slug:slug>/<str:level>.<str:fmt>",
        views.indicator_download,
        name="indicator_download",
    ),
]
