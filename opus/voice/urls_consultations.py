"""Routes of consultations and co-design (joined to urls.py's namespace)."""

from django.urls import URLPattern, path

from opus.voice import views_consultations as v

C = "consultations/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path("consultations/", v.consultation_list, name="consultation_list"),
    path("consultations/new/", v.consultation_new, name="consultation_new"),
    path(C, v.consultation_detail, name="consultation_detail"),
    path(C + "results/", v.consultation_results, name="consultation_results"),
    path(C + "answers/", v.consultation_answers, name="consultation_answers"),
    path(C + "manage/<slug:action>/", v.consultation_manage, name="consultation_manage"),
    path(C + "respond/<int:step>/", v.respond_question, name="consultation_respond"),
    path(C + "respond/about-you/", v.respond_about, name="consultation_about"),
    path(C + "respond/check/", v.respond_check, name="consultation_check"),
    path("consultations/answers/<int:answer_id>/themes/", v.answer_tag, name="answer_tag"),
    path("codesign/decisions/<int:decision_id>/new/", v.codesign_new, name="codesign_new"),
    path("codesign/<int:pk>/", v.codesign_detail, name="codesign_detail"),
    path("codesign/<int:pk>/record/<slug:action>/", v.codesign_record, name="codesign_record"),
    path(
        "codesign/recommendations/<int:pk>/respond/",
        v.recommendation_respond,
        name="recommendation_respond",
    ),
]
