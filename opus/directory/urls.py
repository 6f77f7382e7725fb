from django.urls import path

from opus.directory import views, views_review

app_name = "directory"

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("services/<uuid:service_id>/", views.service_detail, name="service_detail"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.service_new, name="service_new"),
    path("manage/<uuid:service_id>/", views.service_manage, name="service_manage"),
    path("manage/<uuid:service_id>/review/", views.service_review, name="service_review"),
    path("manage/<uuid:service_id>/<slug:section>/", views.service_section, name="service_section"),
    path("needs-review/", views_review.needs_review, name="needs_review"),
    path("needs-review/check/", views_review.needs_review_check, name="needs_review_check"),
    path("needs-review/decide/", views_review.needs_review_bulk, name="needs_review_bulk"),
    path("needs-review/<int:pk>/", views_review.needs_review_decide, name="needs_review_decide"),
]
