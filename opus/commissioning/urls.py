from django.urls import path

from opus.commissioning.views import commissioner, evaluation, provider, public

app_name = "commissioning"

urlpatterns = [
    # Public
    path("", public.opportunity_list, name="opportunity_list"),
    path("opportunities/<int:pk>/", public.opportunity_detail, name="opportunity_detail"),
    path("plans/", public.plan_list, name="plan_list"),
    path("plans/<int:pk>/", public.plan_detail, name="plan_detail"),
    path("contracts/", public.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", public.contract_detail, name="contract_detail"),
    path("diversity/", public.diversity_dashboard, name="diversity"),
    path("diversity.csv", public.diversity_csv, name="diversity_csv"),
    # Providers
    path("provider/", provider.provider_home, name="provider_home"),
    path("opportunities/<int:pk>/bid/", provider.bid_new, name="bid_new"),
    path("bids/<uuid:bid_uuid>/", provider.bid_receipt, name="bid_receipt"),
    path("bids/<uuid:bid_uuid>/withdraw/", provider.bid_withdraw, name="bid_withdraw"),
    path("opportunities/<int:pk>/ask/", provider.clarification_ask, name="clarification_ask"),
    path("opportunities/<int:pk>/consortium/", provider.consortium_new, name="consortium_new"),
    path("consortia/<int:pk>/", provider.consortium_detail, name="consortium_detail"),
    path("invitations/<int:pk>/", provider.consortium_respond, name="consortium_respond"),
    path("searches/", provider.saved_search_save, name="saved_search_save"),
    path("searches/<int:pk>/delete/", provider.saved_search_delete, name="saved_search_delete"),
    path("returns/<int:pk>/", provider.kpi_return_submit, name="kpi_return_submit"),
    path("contracts/<int:pk>/service/", commissioner.contract_service, name="contract_service"),
    # Commissioners
    path("manage/", commissioner.commissioner_home, name="commissioner_home"),
    path("plans/new/", commissioner.plan_new, name="plan_new"),
    path("plans/<int:pk>/decisions/new/", commissioner.decision_new, name="decision_new"),
    path("plans/<int:pk>/publish/", commissioner.plan_publish, name="plan_publish"),
    path("opportunities/new/", commissioner.opportunity_new, name="opportunity_new"),
    path(
        "opportunities/<int:pk>/publish/",
        commissioner.opportunity_publish,
        name="opportunity_publish",
    ),
    path(
        "clarifications/<int:pk>/answer/",
        commissioner.clarification_answer,
        name="clarification_answer",
    ),
    path("opportunities/<int:pk>/open/", commissioner.bids_open, name="bids_open"),
    path("awards/<int:pk>/reverse/", commissioner.award_reverse, name="award_reverse"),
    path("awards/<int:pk>/contract/", commissioner.contract_sign, name="contract_sign"),
    path("value-tables/", commissioner.value_tables, name="value_tables"),
    path("oversight/", commissioner.oversight, name="oversight"),
    # Evaluation
    path("opportunities/<int:pk>/evaluation/", evaluation.evaluation, name="evaluation"),
    path("opportunities/<int:pk>/evaluation/panel/", evaluation.panel_add, name="panel_add"),
    path(
        "opportunities/<int:pk>/evaluation/documents/<int:document_id>/",
        evaluation.bid_document,
        name="bid_document",
    ),
    path(
        "opportunities/<int:pk>/evaluation/declare/",
        evaluation.conflict_declare,
        name="conflict_declare",
    ),
    path("opportunities/<int:pk>/evaluation/score/", evaluation.score, name="score"),
    path(
        "opportunities/<int:pk>/evaluation/hand-in/", evaluation.scores_submit, name="scores_submit"
    ),
    path("opportunities/<int:pk>/evaluation/moderate/", evaluation.moderate, name="moderate"),
    path(
        "opportunities/<int:pk>/evaluation/compute/",
        evaluation.evaluation_compute,
        name="evaluation_compute",
    ),
    path("opportunities/<int:pk>/evaluation/award/", evaluation.award_decide, name="award_decide"),
]
