"""Routes for twofactor pages, joined to core's under the `core:` namespace (see core/urls.py)."""

from django.urls import URLPattern, path

from opus.core import views_twofactor as views

urlpatterns: list[URLPattern] = [
    path("sign-in/code/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/two-factor/start/", views.two_factor_start, name="two_factor_start"),
    path("account/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/backup-codes/", views.two_factor_codes, name="two_factor_codes"),
    path(
        "account/two-factor/backup-codes/new/",
        views.two_factor_codes_new,
        name="two_factor_codes_new",
    ),
    path("account/two-factor/turn-off/", views.two_factor_disable, name="two_factor_disable"),
    path(
        "people/<int:user_id>/two-factor/reset/",
        views.two_factor_reset,
        name="two_factor_reset",
    ),
]
