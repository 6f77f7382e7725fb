from django.urls import path

from opus.choice import views

app_name = "choice"

urlpatterns = [
    path("", views.start, name="start"),
    path("questions/<slug:step>/", views.question, name="question"),
    path("results/", views.results, name="results"),
    path("shortlist/", views.shortlist, name="shortlist"),
    path("shortlist/<uuid:service_id>/add/", views.shortlist_add, name="shortlist_add"),
    path("shortlist/<uuid:service_id>/remove/", views.shortlist_remove, name="shortlist_remove"),
    path("compare/", views.compare, name="compare"),
    path("services/<uuid:service_id>/choose/", views.choose, name="choose"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<uuid:booking_id>/", views.booking_detail, name="booking_detail"),
    path("requests/", views.requests, name="requests"),
    path("requests/<uuid:booking_id>/", views.decide, name="decide"),
    path("help/", views.consent, name="consent"),
    path("help/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/<int:person_id>/act/", views.act_for, name="act_for"),
    path("caseload/stop/", views.act_stop, name="act_stop"),
]
