from django.urls import path

from opus.budgets import invoice_views, views

app_name = "budgets"

urlpatterns = [
    path("", views.home, name="home"),
    path("provider/", views.provider, name="provider"),
    path("provider/invoices/", invoice_views.provider_payments, name="provider_payments"),
    path("provider/invoices/new/", invoice_views.invoice_new, name="invoice_new"),
    path("manage/", views.overview, name="overview"),
    path("manage/invoices/", invoice_views.invoice_list, name="invoices"),
    path("manage/invoices/pay/", invoice_views.invoices_pay, name="invoices_pay"),
    path("manage/invoices/<int:invoice_id>/", invoice_views.invoice_decide, name="invoice_decide"),
    path("manage/new/", views.budget_new, name="budget_new"),
    path("ras/", views.ras_list, name="ras_list"),
    path("ras/new/", views.ras_new, name="ras_new"),
    path("ras/assess/", views.ras_assess, name="ras_assess"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:transaction_id>/", views.trace, name="trace"),
    path("ledger/<int:transaction_id>/correct/", views.correct, name="correct"),
    path("commitments/<uuid:commitment_id>/deliver/", views.deliver, name="deliver"),
    path("commitments/<uuid:commitment_id>/pay/", views.pay, name="pay"),
    path("commitments/<uuid:commitment_id>/cancel/", views.release, name="release"),
    path("<uuid:budget_id>/", views.detail, name="detail"),
    path("<uuid:budget_id>/statement/", views.statement_page, name="statement"),
    path("<uuid:budget_id>/plan/", views.plan, name="plan"),
    path("<uuid:budget_id>/plan/agree/", views.plan_agree, name="plan_agree"),
    path("<uuid:budget_id>/close/", views.close, name="close"),
    path("<uuid:budget_id>/commit/<uuid:booking_id>/", views.commit, name="commit"),
    path("<uuid:budget_id>/<slug:action>/", views.money, name="money"),
]
