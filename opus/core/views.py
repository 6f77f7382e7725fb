"""Core pages: home, sign-in, account, dashboards, organisations, areas, audit log."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.core import csvsafe, services
from opus.core.access import (
    get_api_token_for_user,
    get_audit_events_for_user,
    get_job_for_user,
    get_organisation_for_editing,
)
from opus.core.audit import published_heads
from opus.core.charts import horizontal_bars, pyramid
from opus.core.forms import ApiTokenForm, AuditFilterForm, OrganisationForm, SignInForm
from opus.core.geography import area_search
from opus.core.jobs import job_start
from opus.core.models import (
    IMD_DOMAINS,
    Area,
    AreaKind,
    AuditEvent,
    Membership,
    Organisation,
    OrganisationKind,
    Postcode,
    Role,
    User,
    VerificationStatus,
)
from opus.core.pagination import KeysFirstPaginator
from opus.core.roles import has_role, organisations_for, primary_role, role_required
from opus.core.suppression import suppress_counts
from opus.core.tasks import verify_audit_chain
from opus.core.views_twofactor import begin_second_step
from opus.engines.identifiers import normalise_postcode

PAGE_SIZE = 50


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def _page(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> dict[str, Any]:
    paginator = KeysFirstPaginator(queryset, size)
    page_obj = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page_obj, "query_without_page": _query_without_page(request)}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"page_title": "Open public services"})


@require_GET
def static_page(request: HttpRequest, name: str, title: str) -> HttpResponse:
    from opus.core.retention import SCHEDULE  # the privacy notice's retention table

    return render(request, f"core/{name}.html", {"page_title": title, "retention": SCHEDULE})


class SignInView(auth_views.LoginView):
    template_name = "core/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"page_title": "Sign in"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "idle_minutes": settings.OPUS_SESSION_IDLE_MINUTES,
            "two_factor_required": settings.OPUS_REQUIRE_2FA,
        }

    def form_valid(self, form: SignInForm) -> HttpResponse:
        # A person with an authenticator app gives its code before they are signed in.
        second_step = begin_second_step(self.request, form.get_user(), self.get_success_url())
        return second_step or super().form_valid(form)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _, new_secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {
        "page_title": "Your account",
        "form": form,
        "new_secret": new_secret,
        "tokens": request.user.api_tokens.all(),
        "token_lifetime_days": settings.OPUS_API_TOKEN_LIFETIME_DAYS,
        "memberships": request.user.memberships.select_related("organisation"),
    }
    return render(request, "core/account.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_api_token_for_user(request.user, token_id)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token '{token.name}' has been revoked")
    return redirect("core:account")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    role = primary_role(request.user)
    if role is None:
        return render(request, "core/dashboard_none.html", {"page_title": "Your dashboard"})
    return redirect("core:dashboard_role", role=role)


def _dashboard_context(request: HttpRequest, role: str) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "page_title": f"{Role(role).label} dashboard",
        "role": role,
        "other_roles": [
            Role(r)
            for r in Membership.objects.filter(user=user).values_list("role", flat=True)
            if r != role
        ],
        "organisations": organisations_for(user, role),
    }
    if role in (Role.COMMISSIONER, Role.ADMIN):
        context["market"] = (
            Organisation.objects.values("kind").annotate(n=Count("id")).order_by("-n")
        )
        context["kind_labels"] = dict(OrganisationKind.choices)
        context["deprived_lsoas"] = Area.objects.filter(kind=AreaKind.LSOA, imd_decile=1).count()
        context["lsoas"] = Area.objects.filter(kind=AreaKind.LSOA).count()
    if role in (Role.AUDITOR, Role.ADMIN):
        context["recent_events"] = AuditEvent.objects.select_related("actor")[:10]
    if role == Role.ADMIN:
        context["user_count"] = User.objects.count()
    if role == Role.COUNCILLOR:
        context["neighbourhoods"] = Area.objects.filter(
            kind=AreaKind.NEIGHBOURHOOD, organisations__in=context["organisations"]
        ).distinct()
    return context


@login_required
@require_GET
def dashboard_role(request: HttpRequest, role: str) -> HttpResponse:
    if role not in Role.values or not has_role(request.user, role):
        raise Http404("Page not found")
    return render(request, f"core/dashboard_{role}.html", _dashboard_context(request, role))


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    # Organisations waiting for verification (or refused) are not listed to the public.
    organisations = Organisation.objects.filter(verification_status=VerificationStatus.VERIFIED)
    if q:
        organisations = organisations.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(org_id__iexact=q)
        )
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    context = {
        "page_title": "Organisations",
        "q": q,
        "kind": kind,
        "kinds": OrganisationKind.choices,
        **_page(request, organisations),
    }
    return render(request, "core/organisation_list.html", context)


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("area"), slug=slug)
    can_edit = request.user.is_authenticated and (
        has_role(request.user, Role.ADMIN)
        or organisation.memberships.filter(user=request.user, role=Role.PROVIDER).exists()
    )
    if organisation.verification_status != VerificationStatus.VERIFIED and not can_edit:
        raise Http404("Page not found")  # only its own staff and administrators see it yet
    context = {"page_title": organisation.name, "organisation": organisation, "can_edit": can_edit}
    return render(request, "core/organisation_detail.html", context)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_editing(request.user, slug)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        # The form has already applied its values to the instance; re-read before the service.
        organisation.refresh_from_db()
        services.organisation_update(organisation=organisation, by=request.user, **fields)
        messages.success(request, "Your organisation's details have been saved")
        return redirect("core:organisation_detail", slug=slug)
    organisation.refresh_from_db()
    context = {
        "page_title": f"Edit {organisation.name}",
        "organisation": organisation,
        "form": form,
    }
    return render(
        request, "core/organisation_edit.html", context, status=400 if form.errors else 200
    )


@require_GET
def area_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()[:100]
    postcode_area = _area_for_postcode(q)
    if postcode_area is not None:
        return redirect(postcode_area)
    areas = Area.objects.select_related("parent").defer(*Area.HEAVY_FIELDS).order_by("code")
    if kind in AreaKind.values:
        areas = areas.filter(kind=kind)
    if q:
        areas = areas.filter(area_search(q))
    context = {
        "page_title": "Areas",
        "kind": kind,
        "q": q,
        "kinds": AreaKind.choices,
        **_page(request, areas),
    }
    return render(request, "core/area_list.html", context)


def _area_for_postcode(text: str) -> Area | None:
    """The LSOA of a postcode typed into the area search, if it is one we know."""
    try:
        postcode = normalise_postcode(text)
    except ValueError:
        return None
    found = Postcode.objects.select_related("lsoa").filter(postcode=postcode).first()
    return found.lsoa if found else None


def _area_context(area: Area) -> dict[str, Any]:
    domains = [(label, area.imd_domains.get(key)) for key, label in IMD_DOMAINS]
    known = [(label, value) for label, value in domains if value is not None]
    return {
        "page_title": str(area),
        "area": area,
        "children": area.children.order_by("code")[:500],
        "lsoas": area.lsoas.order_by("code")[:500],
        "rows": area.age_bands,
        "pyramid": pyramid(area.age_bands),
        "domains": domains,
        "domain_chart": horizontal_bars(known, max([v for _, v in known] + [1])),
        "ethnic_groups": suppress_counts(area.ethnic_groups),
        "disability": suppress_counts(area.disability),
    }


@require_GET
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent", "neighbourhood"), code=code)
    return render(request, "core/area_detail.html", _area_context(area))


def _csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csvsafe.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@require_GET
def area_population_csv(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=code)
    rows = [[area.code, r["band"], r["male"], r["female"], r["total"]] for r in area.age_bands]
    header = ["area_code", "age_band", "male", "female", "total"]
    return _csv_response(f"{area.code}-population.csv", header, rows)


@require_GET
def area_deprivation_csv(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=code)
    rows = [[area.code, key, area.imd_domains.get(key, "")] for key, _ in IMD_DOMAINS]
    rows += [[area.code, "imd_score", area.imd_score], [area.code, "imd_rank", area.imd_rank],
             [area.code, "imd_decile", area.imd_decile]]  # fmt: skip
    return _csv_response(f"{area.code}-deprivation.csv", ["area_code", "measure", "value"], rows)


def _filter_audit(events: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    if data.get("action"):
        events = events.filter(action__startswith=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
    if data.get("actor"):
        events = events.filter(actor_label__iexact=data["actor"])
    tz = timezone.get_current_timezone()
    if data.get("since"):
        events = events.filter(created_at__gte=datetime.combine(data["since"], time.min, tz))
    if data.get("until"):
        events = events.filter(created_at__lte=datetime.combine(data["until"], time.max, tz))
    return events


@role_required(Role.AUDITOR, Role.ADMIN)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    events = get_audit_events_for_user(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        events = _filter_audit(events, form.cleaned_data)
    elif form.is_bound:
        events = events.none()
    context = {
        "page_title": "Audit log",
        "form": form,
        "published_heads": published_heads(limit=5),
        **_page(request, events),
    }
    return render(request, "core/audit_list.html", context, status=400 if form.errors else 200)


HEADS_PUBLISHED_IN_DOWNLOADS = 100  # the newest publications, each every chain's head


@role_required(Role.AUDITOR, Role.ADMIN)
@require_GET
def audit_heads_download(request: HttpRequest, extension: str) -> HttpResponse:
    """The audit chains' published heads, for keeping outside Opus and comparing later."""
    publications = published_heads(limit=HEADS_PUBLISHED_IN_DOWNLOADS)
    if extension == "json":
        body = [
            {
                "sequence": event.sequence,
                "published_at": event.created_at.isoformat(),
                "event_hash": event.hash,
                "heads": event.summary.get("heads", {}),
            }
            for event in publications
        ]
        response = JsonResponse(body, safe=False, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = 'attachment; filename="audit-heads.json"'
        return response
    rows = [
        [event.sequence, event.created_at.isoformat(), event.hash, chain, head["position"],
         head["hash"]]
        for event in publications
        for chain, head in sorted(event.summary.get("heads", {}).items(), key=lambda h: int(h[0]))
    ]  # fmt: skip
    header = ["published_sequence", "published_at", "event_hash", "chain", "position", "hash"]
    return _csv_response("audit-heads.csv", header, rows)


@role_required(Role.AUDITOR, Role.ADMIN)
@require_GET
def audit_detail(request: HttpRequest, sequence: int) -> HttpResponse:
    event = get_object_or_404(get_audit_events_for_user(request.user), sequence=sequence)
    return render(request, "core/audit_detail.html", {"page_title": str(event), "event": event})


@role_required(Role.AUDITOR, Role.ADMIN)
@require_POST
def audit_verify_start(request: HttpRequest) -> HttpResponse:
    job = job_start(
        kind="audit.verify",
        title="Verify the audit chain",
        by=request.user,
        task=verify_audit_chain,
    )
    return redirect(job)


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_job_for_user(request.user, job_id)
    return render(request, "core/job_detail.html", {"page_title": job.title, "job": job})


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"page_title": "Page not found"}, status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"page_title": "You cannot see this page"}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"page_title": "Sorry, there is a problem"}, status=500)
