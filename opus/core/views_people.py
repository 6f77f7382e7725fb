"""Pages for people: administrators' people, roles and invitations; following an invitation;
residents signing up; organisations registering themselves and the verification queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user

from opus.core import invitations, organisations, people, signup
from opus.core.forms_people import (
    DecisionForm,
    InvitationForm,
    NewAccountForm,
    PeopleSearchForm,
    RegistrationForm,
    RegistrationWithAccountForm,
    RoleGrantForm,
    SignUpForm,
)
from opus.core.models import Invitation, Membership, Organisation, Role, User, VerificationStatus
from opus.core.refusals import show_errors
from opus.core.roles import role_required
from opus.core.views import _page

PAGE_SIZE = 25
REGISTRATION_FIELDS = organisations.REGISTRATION_FIELDS


# --- People and their roles (administrators) ------------------------------------------------


@role_required(Role.ADMIN)
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "page_title": _("People"),
        "form": form,
        "q": q,
        **_page(request, people.people_search(q), PAGE_SIZE),
    }
    return render(request, "core/people/people_list.html", context)


def _person_context(person: User, grant_form: RoleGrantForm | None = None) -> dict[str, Any]:
    return {
        "page_title": person.full_name or person.email,
        "person": person,
        "memberships": person.memberships.select_related("organisation").order_by(
            "organisation__name", "role"
        ),
        "grant_form": grant_form or RoleGrantForm(),
        "form": grant_form,
        "two_factor_on": any(devices_for_user(person, confirmed=True)),
    }


@role_required(Role.ADMIN)
@require_GET
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    return render(request, "core/people/person_detail.html", _person_context(person))


@role_required(Role.ADMIN)
@require_POST
def role_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        try:
            people.role_grant(user=person, organisation=form.cleaned_data["organisation"],
                              role=form.cleaned_data["role"], by=request.user)  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The role has been given"))
            return redirect("core:person_detail", user_id=person.pk)
    context = _person_context(person, form)
    return render(request, "core/people/person_detail.html", context, status=400)


def _problem_page(request: HttpRequest, person: User, error: ValidationError) -> HttpResponse:
    problem = forms.Form(data={})
    problem.is_valid()
    problem.add_error(None, error.messages)
    context = {**_person_context(person), "form": problem}
    return render(request, "core/people/person_detail.html", context, status=400)


@role_required(Role.ADMIN)
@require_POST
def role_revoke(request: HttpRequest, user_id: int, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id, user_id=user_id)
    try:
        people.role_revoke(membership=membership, by=request.user)
    except ValidationError as error:
        return _problem_page(request, membership.user, error)
    messages.success(request, _("The role has been taken away"))
    return redirect("core:person_detail", user_id=user_id)


@role_required(Role.ADMIN)
@require_POST
def account_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    try:
        people.account_deactivate(user=person, by=request.user)
    except ValidationError as error:
        return _problem_page(request, person, error)
    messages.success(request, _("The account has been switched off"))
    return redirect("core:person_detail", user_id=user_id)


@role_required(Role.ADMIN)
@require_POST
def account_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    people.account_reactivate(user=person, by=request.user)
    messages.success(request, _("The account has been switched on"))
    return redirect("core:person_detail", user_id=user_id)


# --- Invitations (administrators) -------------------------------------------------------------


@role_required(Role.ADMIN)
@require_GET
def invitation_list(request: HttpRequest) -> HttpResponse:
    pending = [
        i
        for i in Invitation.objects.select_related("organisation", "invited_by").filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        )[:500]
    ]
    context = {"page_title": _("Invitations"), "invitations": pending}
    return render(request, "core/people/invitation_list.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def invitation_new(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("An invitation has been sent to %(email)s")
                             % {"email": invitation.email})  # fmt: skip
            return redirect("core:invitation_list")
    context = {"page_title": _("Invite someone"), "form": form}
    status = 400 if form.errors else 200
    return render(request, "core/people/invitation_new.html", context, status=status)


def _invitation_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        action(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("core:invitation_list")


@role_required(Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_action(
        request, pk, invitations.invitation_revoke, _("The invitation has been revoked")
    )


@role_required(Role.ADMIN)
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_action(
        request, pk, invitations.invitation_resend, _("The invitation has been sent again")
    )


# --- Following an invitation (anyone with the link) --------------------------------------------


def _link_broken(request: HttpRequest, invitation: Invitation | None) -> HttpResponse:
    state = invitation.state if invitation is not None else "unknown"
    context = {"page_title": _("This invitation link does not work"), "state": state}
    return render(request, "core/people/invitation_broken.html", context, status=410)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitations.invitation_for_secret(secret)
    if invitation is None or invitation.state != "pending":
        return _link_broken(request, invitation)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    context: dict[str, Any] = {
        "page_title": _("Join %(organisation)s") % {"organisation": invitation.organisation},
        "invitation": invitation,
        "role": Role(invitation.role).label,
    }
    user = request.user
    if has_account or user.is_authenticated:
        signed_in_as_invitee = (
            user.is_authenticated and user.email.lower() == invitation.email.lower()
        )
        context["signed_in_as_invitee"] = signed_in_as_invitee
        context["sign_in_url"] = (
            f"{reverse('core:sign_in')}?{urlencode({REDIRECT_FIELD_NAME: request.path})}"
        )
        if request.method == "POST" and signed_in_as_invitee:
            try:
                invitations.invitation_accept_existing(secret=secret, by=user)
            except ValidationError:
                return _link_broken(request, invitations.invitation_for_secret(secret))
            messages.success(request, _("You are now %(role)s at %(organisation)s")
                             % {"role": context["role"],
                                "organisation": invitation.organisation})  # fmt: skip
            return redirect("core:dashboard")
        status = 400 if request.method == "POST" else 200
        return render(request, "core/people/invitation_existing.html", context, status=status)
    form = NewAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept_new(
                secret=secret,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            if "invitation" in getattr(error, "error_dict", {}):
                return _link_broken(request, invitations.invitation_for_secret(secret))
            show_errors(form, error)
        else:
            messages.success(request, _("Your account is ready: sign in with your new password"))
            return redirect("core:sign_in")
    context["form"] = form
    status = 400 if form.errors else 200
    return render(request, "core/people/invitation_new_account.html", context, status=status)


# --- Residents sign up -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signup.check_new_account(
                email=data["email"], full_name=data["full_name"], password=data["password"]
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            if signup.signup_allowed(email=data["email"], request=request):
                signup.resident_sign_up(
                    email=data["email"], full_name=data["full_name"], password=data["password"]
                )
            return redirect("core:signup_sent")
    context = {"page_title": _("Create an account"), "form": form}
    status = 400 if form.errors else 200
    return render(request, "core/people/sign_up.html", context, status=status)


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "core/people/signup_sent.html", {"page_title": _("Check your e-mail")})


@require_http_methods(["GET", "POST"])
def signup_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link shows a button (a mail scanner opening the link changes nothing)."""
    context: dict[str, Any] = {"page_title": _("Confirm your e-mail address")}
    if request.method == "POST":
        try:
            signup.email_verify(token=token)
        except ValidationError as error:
            context.update(page_title=_("This link does not work"), problem=error.messages[0])
            return render(request, "core/people/signup_verify.html", context, status=410)
        messages.success(request, _("Your e-mail address is confirmed: you can sign in now"))
        return redirect("core:sign_in")
    return render(request, "core/people/signup_verify.html", context)


# --- Organisations register themselves ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def organisation_register(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    form_class = RegistrationForm if signed_in else RegistrationWithAccountForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in REGISTRATION_FIELDS}
        try:
            if signed_in:
                organisation = organisations.organisation_register(
                    registrant=request.user, **fields
                )
                messages.success(request, _("%(name)s is registered and waiting for verification")
                                 % {"name": organisation.name})  # fmt: skip
                return redirect("core:dashboard")
            signup.check_new_account(email=data["your_email"], full_name=data["full_name"],
                                     password=data["password"])  # fmt: skip
            if signup.signup_allowed(email=data["your_email"], request=request):
                organisations.organisation_register_with_account(
                    account_email=data["your_email"], full_name=data["full_name"],
                    password=data["password"], **fields,
                )  # fmt: skip
            return redirect("core:signup_sent")
        except ValidationError as error:
            show_errors(form, error)
    context = {"page_title": _("Register your organisation"), "form": form,
               "signed_in": signed_in}  # fmt: skip
    status = 400 if form.errors else 200
    return render(request, "core/people/organisation_register.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def organisation_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": _("Organisations waiting for verification"),
        "organisations": organisations.pending_organisations()[:500],
        "rejected": Organisation.objects.filter(
            verification_status=VerificationStatus.REJECTED
        ).order_by("-verified_at")[:20],
    }
    return render(request, "core/people/organisation_queue.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_decide(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "verify":
                organisations.organisation_verify(organisation=organisation, by=request.user)
                messages.success(request, _("%(name)s is verified") % {"name": organisation})
            else:
                organisations.organisation_reject(organisation=organisation,
                                                  reason=form.cleaned_data["reason"],
                                                  by=request.user)  # fmt: skip
                messages.success(request, _("%(name)s was rejected") % {"name": organisation})
        except ValidationError as error:
            show_errors(form, error)
        else:
            return redirect("core:organisation_queue")
    if organisation.verification_status != VerificationStatus.PENDING and not form.errors:
        if request.method == "GET":
            raise Http404("Not waiting for verification")
    context = {
        "page_title": _("Verify %(name)s") % {"name": organisation.name},
        "organisation": organisation,
        "staff": User.objects.filter(
            memberships__organisation=organisation, memberships__role=Role.PROVIDER
        ).distinct(),  # fmt: skip
        "form": form,
    }
    status = 400 if form.errors else 200
    return render(request, "core/people/organisation_decide.html", context, status=status)
