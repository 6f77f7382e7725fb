"""Routes for people pages, joined to core's under the `core:` namespace (see core/urls.py)."""

from django.urls import URLPattern, path

from opus.core import views_people as views

urlpatterns: list[URLPattern] = [
    path("people/", views.people_list, name="people_list"),
    path("people/<int:user_id>/", views.person_detail, name="person_detail"),
    path("people/<int:user_id>/roles/", views.role_grant, name="role_grant"),
    path(
        "people/<int:user_id>/roles/<int:membership_id>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("people/<int:user_id>/switch-off/", views.account_deactivate, name="account_deactivate"),
    path("people/<int:user_id>/switch-on/", views.account_reactivate, name="account_reactivate"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_new, name="invitation_new"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitation/<str:secret>/", views.invitation_accept, name="invitation_accept"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/sent/", views.signup_sent, name="signup_sent"),
    path("sign-up/confirm/<str:token>/", views.signup_verify, name="signup_verify"),
    path("register-organisation/", views.organisation_register, name="organisation_register"),
    path("organisation-verification/", views.organisation_queue, name="organisation_queue"),
    path(
        "organisation-verification/<slug:slug>/",
        views.organisation_decide,
        name="organisation_decide",
    ),
]
