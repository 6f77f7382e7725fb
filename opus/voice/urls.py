"""Voice pages: complaints here, feedback's routes (urls_feedback.py) share the namespace."""

from django.urls import URLPattern, path

from opus.voice import urls_consultations, urls_feedback, urls_performance
from opus.voice import views_complaints as complaints

app_name = "voice"

urlpatterns: list[URLPattern] = [
    path("complaints/", complaints.complaint_list, name="complaint_list"),
    path("complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("complaints/queue/", complaints.complaint_queue, name="complaint_queue"),
    path("complaints/<int:complaint_id>/", complaints.complaint_detail, name="complaint_detail"),
    path(
        "complaints/<int:complaint_id>/escalate/",
        complaints.complaint_escalate,
        name="complaint_escalate",
    ),
    path(
        "complaints/<int:complaint_id>/act/<slug:action>/",
        complaints.complaint_act,
        name="complaint_act",
    ),
]
urlpatterns += urls_feedback.urlpatterns
urlpatterns += urls_performance.urlpatterns
urlpatterns += urls_consultations.urlpatterns
