"""Good-practice pages: the library and its search, entries, writing, and moderation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.core.pagination import KeysFirstPaginator
from opus.core.roles import role_required
from opus.knowledge import services
from opus.knowledge.access import (
    MODERATOR_ROLES,
    WRITER_ROLES,
    can_moderate,
    can_write,
    get_entry_for_editing,
    get_entry_for_moderation,
    get_entry_for_user,
    writer_organisations,
)
from opus.knowledge.forms import EntryForm, ReturnForm
from opus.knowledge.models import Audience, Entry, EntryKind, EntryStatus
from opus.knowledge.search import Query, search, tags_in_use

PAGE_SIZE = 20


@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    query = Query.from_params(request.GET.dict())
    found = search(query, Entry.objects.select_related("organisation"))
    page_obj = KeysFirstPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    prefetch_related_objects(page_obj.object_list, "tags", "audiences")
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page_title": "Good practice" + (" — search results" if query.is_filtered else ""),
        "query": query,
        "page_obj": page_obj,
        "query_without_page": f"{params.urlencode()}&" if params else "",
        "kinds": EntryKind.choices,
        "audiences": Audience.choices,
        "tags": tags_in_use(),
        "can_write": can_write(request.user),
        "can_moderate": can_moderate(request.user),
    }
    return render(request, "knowledge/entry_list.html", context)


@require_GET
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_entry_for_user(request.user, slug)
    is_author = request.user.is_authenticated and entry.author_id == request.user.pk
    context = {
        "page_title": entry.title,
        "entry": entry,
        "tags": entry.tags.all(),
        "needs": entry.needs.select_related("parent").order_by("name"),
        "is_author": is_author,
        "can_edit": is_author and entry.is_editable,
        "can_review": (
            entry.status == EntryStatus.SUBMITTED and can_moderate(request.user) and not is_author
        ),
    }
    return render(request, "knowledge/entry_detail.html", context)


def _form_context(form: EntryForm, title: str, entry: Entry | None = None) -> dict[str, Any]:
    return {"page_title": title, "form": form, "entry": entry}


def _entry_fields(form: EntryForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {name: data[name] for name in EntryForm.base_fields}


@role_required(*WRITER_ROLES)
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    organisations = writer_organisations(request.user)
    form = EntryForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(by=request.user, **_entry_fields(form))
        except services.EntryError as exc:
            form.add_error(None, str(exc))
        else:
            return _saved(request, entry, "Your entry has been saved as a draft")
    context = _form_context(form, "Write an entry")
    return render(request, "knowledge/entry_form.html", context, status=400 if form.errors else 200)


def _saved(request: HttpRequest, entry: Entry, message: str) -> HttpResponse:
    """After saving: send it for moderation too when the author pressed that button."""
    if request.POST.get("action") == "submit":
        services.entry_submit(entry=entry, by=request.user)
        message = "Your entry has been sent for moderation"
    messages.success(request, message)
    return redirect(entry)


@role_required(*WRITER_ROLES)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_entry_for_editing(request.user, slug)
    organisations = writer_organisations(request.user)
    if request.method == "POST":
        form = EntryForm(request.POST, organisations=organisations)
    else:
        form = EntryForm(initial=EntryForm.initial_for(entry), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_update(entry=entry, by=request.user, **_entry_fields(form))
        except services.EntryError as exc:
            form.add_error(None, str(exc))
        else:
            return _saved(request, entry, "Your changes have been saved")
    context = _form_context(form, f"Change “{entry.title}”", entry)
    return render(request, "knowledge/entry_form.html", context, status=400 if form.errors else 200)


@role_required(*WRITER_ROLES)
@require_POST
def entry_submit(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_entry_for_editing(request.user, slug)
    entry = services.entry_submit(entry=entry, by=request.user)
    messages.success(request, "Your entry has been sent for moderation")
    return redirect(entry)


@role_required(*WRITER_ROLES)
@require_GET
def your_entries(request: HttpRequest) -> HttpResponse:
    organisations = writer_organisations(request.user)
    colleagues = (
        Entry.objects.filter(organisation__in=organisations)
        .exclude(author=request.user)
        .select_related("organisation", "author")
        .order_by("-updated_at", "pk")
    )
    context = {
        "page_title": "Your entries",
        "entries": Entry.objects.filter(author=request.user)
        .select_related("organisation")
        .order_by("-updated_at", "pk"),
        "colleagues": colleagues[:50],
    }
    return render(request, "knowledge/your_entries.html", context)


@role_required(*MODERATOR_ROLES)
@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        Entry.objects.filter(status=EntryStatus.SUBMITTED)
        .select_related("organisation", "author")
        .order_by("submitted_at", "pk")
    )
    recent = (
        Entry.objects.filter(moderated_at__isnull=False)
        .select_related("organisation", "moderated_by")
        .order_by("-moderated_at", "pk")[:10]
    )
    context = {"page_title": "Entries waiting for moderation", "waiting": waiting, "recent": recent}
    return render(request, "knowledge/moderation_queue.html", context)


def _review(request: HttpRequest, entry: Entry, form: ReturnForm, status: int) -> HttpResponse:
    context = {
        "page_title": f"Review “{entry.title}”",
        "entry": entry,
        "tags": entry.tags.all(),
        "needs": entry.needs.select_related("parent").order_by("name"),
        "form": form,
    }
    return render(request, "knowledge/entry_review.html", context, status=status)


@role_required(*MODERATOR_ROLES)
@require_GET
def entry_review(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_entry_for_moderation(request.user, slug)
    return _review(request, entry, ReturnForm(), 200)


@role_required(*MODERATOR_ROLES)
@require_POST
def entry_publish(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_entry_for_moderation(request.user, slug)
    try:
        entry = services.entry_publish(entry=entry, by=request.user)
    except services.EntryError as exc:
        raise Http404("No such entry") from exc
    messages.success(request, f"“{entry.title}” is published")
    return redirect("knowledge:moderation_queue")


@role_required(*MODERATOR_ROLES)
@require_POST
def entry_return(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_entry_for_moderation(request.user, slug)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _review(request, entry, form, 400)
    try:
        services.entry_return(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
    except services.EntryError as exc:
        raise Http404("No such entry") from exc
    messages.success(request, f"“{entry.title}” has been returned to its author")
    return redirect("knowledge:moderation_queue")
