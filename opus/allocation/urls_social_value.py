"""Social value in wellbeing terms: tables, ledgers, evidence and wellbeing studies."""

from django.urls import URLPattern, path

from opus.allocation import views_social_value as views

urlpatterns: list[URLPattern] = [
    path("social-value/", views.index, name="sv_index"),
    path("social-value/tables/new/", views.table_upload, name="sv_table_upload"),
    path("social-value/ledgers/new/", views.ledger_new, name="sv_ledger_new"),
    path("social-value/ledgers/<int:pk>/", views.ledger_detail, name="sv_ledger"),
    path("social-value/ledgers/<int:pk>/ledger.csv", views.ledger_csv, name="sv_ledger_csv"),
    path("social-value/ledgers/<int:pk>/lines/new/", views.line_add, name="sv_line_add"),
    path("social-value/ledgers/<int:pk>/evidence/new/", views.evidence_add, name="sv_evidence_add"),
    path("social-value/ledgers/<int:pk>/studies/new/", views.study_new, name="sv_study_new"),
    path("social-value/studies/<int:pk>/", views.study_detail, name="sv_study"),
    path("social-value/studies/<int:pk>/answers/new/", views.answer_add, name="sv_answer_add"),
    path("social-value/answer/<uuid:token>/", views.answer_link, name="sv_answer_link"),
]
