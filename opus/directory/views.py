"""Directory pages: the public list and service pages, and providers' question pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.core.models import Role
from opus.core.pagination import KeysFirstPaginator
from opus.core.refusals import show_errors
from opus.core.roles import role_required
from opus.directory import services
from opus.directory.access import get_service_for_editing, organisations_for_provider
from opus.directory.forms import SECTIONS, DetailsForm, initial_for
from opus.directory.models import Service, ServiceStatus, TaxonomyTerm
from opus.directory.search import ranked_ids
from opus.directory.sections import save_section
from opus.directory.taxonomy import TAXONOMY_ID
from opus.directory.vocabularies import ACCESSIBILITY, CIRCUMSTANCES, DELIVERY

PAGE_SIZE = 20


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    term = request.GET.get("need", "")
    found = Service.objects.filter(status=ServiceStatus.ACTIVE).select_related("organisation")
    if term:
        found = found.filter(terms__code=term)
    found = found.order_by("name").distinct()
    if q:
        found = _by_relevance(found, ranked_ids(q))
    paginator = KeysFirstPaginator(found, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_title": "Find a service",
        "q": q,
        "need": term,
        "page_obj": page_obj,
        "query_without_page": f"{query.urlencode()}&" if query else "",
        "needs": TaxonomyTerm.objects.filter(parent__isnull=True).prefetch_related("children"),
    }
    return render(request, "directory/service_list.html", context)


def _by_relevance(found: Any, ranks: dict[str, float]) -> Any:
    """The matching services, most relevant first (the database's full-text rank)."""
    order = Case(
        *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ranks)], output_field=IntegerField()
    )
    return found.filter(pk__in=list(ranks)).order_by(order, "name") if ranks else found.none()


def _labels(codes: list[str], vocabulary: dict[str, str]) -> list[str]:
    return [vocabulary.get(code, code) for code in codes]


@require_GET
def service_detail(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("organisation", "residency_area").prefetch_related(
            "terms", "languages", "cost_options", "schedules", "at_locations__location"
        ),
        pk=service_id,
    )
    places = [s.location for s in service.at_locations.all()]
    terms = list(service.terms.all())  # needs, and the feed's own categories (an LGA list…)
    context = {
        "page_title": service.name,
        "service": service,
        "needs": [t for t in terms if t.taxonomy_id == TAXONOMY_ID],
        "categories": sorted({t.name for t in terms if t.taxonomy_id != TAXONOMY_ID}),
        "places": places,
        "circumstances": _labels(service.circumstances, CIRCUMSTANCES),
        "delivery": _labels(service.delivery, DELIVERY),
        "access": {p.pk: _labels(p.accessibility, ACCESSIBILITY) for p in places},
    }
    return render(request, "directory/service_detail.html", context)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    organisations = organisations_for_provider(request.user)
    found = Service.objects.filter(organisation__in=organisations).select_related("organisation")
    context = {
        "page_title": "Your services",
        "services": found.order_by("name"),
        "organisations": organisations,
    }
    return render(request, "directory/manage.html", context)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_for_provider(request.user))
    if not organisations:
        raise Http404("You do not work for a provider")
    form = DetailsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                organisation=organisations[0], by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "The service has been added: now tell people more about it")
            return redirect("directory:service_manage", service_id=service.pk)
    context = {"page_title": "Add a service", "form": form, "organisation": organisations[0]}
    return render(
        request, "directory/service_new.html", context, status=400 if form.errors else 200
    )


@role_required(Role.PROVIDER, Role.ADMIN)
@require_GET
def service_manage(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = get_service_for_editing(request.user, service_id)
    sections = [
        {"key": key, "title": title, "done": _done(key, service)}
        for key, (title, _) in SECTIONS.items()
    ]
    context = {"page_title": f"Manage {service.name}", "service": service, "sections": sections}
    return render(request, "directory/service_manage.html", context)


def _done(section: str, service: Service) -> bool:
    checks = {
        "details": bool(service.description),
        "eligibility": service.minimum_age is not None or bool(service.eligibility_description),
        "needs": service.terms.exists(),
        "where": bool(service.delivery),
        "when": service.schedules.exists(),
        "cost": service.cost_options.exists() or "free" in service.fees_description.lower(),
        "languages": service.languages.exists(),
        "capacity": service.capacity is not None,
    }
    return checks[section]


@role_required(Role.PROVIDER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def service_section(request: HttpRequest, service_id: Any, section: str) -> HttpResponse:
    service = get_service_for_editing(request.user, service_id)
    if section not in SECTIONS:
        raise Http404("No such section")
    title, form_class = SECTIONS[section]
    form = form_class(
        request.POST if request.method == "POST" else None, initial=initial_for(section, service)
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"free", "amount"}}
        try:
            save_section(section, service, data, request.user)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"'{title}' saved")
            return redirect("directory:service_manage", service_id=service.pk)
    context = {
        "page_title": f"{title} — {service.name}",
        "service": service,
        "form": form,
        "title": title,
        "section": section,
    }
    status = 400 if form.errors else 200
    return render(request, "directory/service_section.html", context, status=status)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_POST
def service_review(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = get_service_for_editing(request.user, service_id)
    services.service_mark_reviewed(service=service, by=request.user)
    messages.success(request, "Thank you: the service is marked as reviewed today")
    return redirect("directory:service_manage", service_id=service.pk)
