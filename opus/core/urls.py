from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from opus.core import health, views, views_language, views_personal_data
from opus.core.forms import ThrottledPasswordResetForm

app_name = "core"

_reset = "core/password_reset"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("language/<str:code>/", views_language.language, name="language"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=ThrottledPasswordResetForm,
            template_name=f"{_reset}_form.html",
            email_template_name=f"{_reset}_email.txt",
            subject_template_name=f"{_reset}_subject.txt",
            success_url=reverse_lazy("core:password_reset_done"),
            extra_context={"page_title": "Reset your password"},
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=f"{_reset}_done.html", extra_context={"page_title": "Check your e-mail"}
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=f"{_reset}_confirm.html",
            success_url=reverse_lazy("core:password_reset_complete"),
            extra_context={"page_title": "Choose a new password"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=f"{_reset}_complete.html",
            extra_context={"page_title": "Your password has been changed"},
        ),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("account/my-data/", views_personal_data.my_data, name="my_data"),
    path(
        "account/my-data/download/",
        views_personal_data.my_data_download,
        name="my_data_download",
    ),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:role>/", views.dashboard_role, name="dashboard_role"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/<str:code>/", views.area_detail, name="area_detail"),
    path("areas/<str:code>/population.csv", views.area_population_csv, name="area_population_csv"),
    path(
        "areas/<str:code>/deprivation.csv", views.area_deprivation_csv, name="area_deprivation_csv"
    ),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:sequence>/", views.audit_detail, name="audit_detail"),
    path("audit/verify/", views.audit_verify_start, name="audit_verify_start"),
    path(
        "audit/heads.csv", views.audit_heads_download, {"extension": "csv"}, name="audit_heads_csv"
    ),
    path(
        "audit/heads.json",
        views.audit_heads_download,
        {"extension": "json"},
        name="audit_heads_json",
    ),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path(
        "privacy/",
        views.static_page,
        {"name": "privacy", "title": "Privacy notice"},
        name="privacy",
    ),
    path("cookies/", views.static_page, {"name": "cookies", "title": "Cookies"}, name="cookies"),
    path(
        "accessibility/",
        views.static_page,
        {"name": "accessibility", "title": "Accessibility statement"},
        name="accessibility",
    ),
]

# People and organisations (invitations, roles, sign-up) and two-factor sign-in live in their own
# modules; their routes share core's namespace.
from opus.core import urls_people, urls_twofactor  # noqa: E402

urlpatterns += urls_people.urlpatterns + urls_twofactor.urlpatterns
