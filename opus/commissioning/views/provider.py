"""Provider pages: bids and receipts, clarifications, consortia, saved searches, returns."""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.commissioning import access, services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.forms import (
    BidForm,
    ClarificationForm,
    ConsortiumForm,
    InviteForm,
    KpiReturnForm,
    SaveSearchForm,
    SearchForm,
    add_service_error,
    bid_field,
)
from opus.commissioning.models import (
    AwardNotice,
    BidStatus,
    Consortium,
    ConsortiumMember,
    KpiReturn,
    MemberStatus,
    SavedSearch,
)
from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.models import Role
from opus.core.roles import role_required
from opus.engines.money import pounds


@role_required(Role.PROVIDER)
@require_GET
def provider_home(request: HttpRequest) -> HttpResponse:
    organisations = access.provider_organisations(request.user)
    context = {
        "page_title": "Your bids and contracts",
        "bids": access.bids_for_provider(request.user).order_by("-submitted_at")[:50],
        "invitations": ConsortiumMember.objects.filter(
            organisation__in=organisations, status=MemberStatus.INVITED
        ).select_related("consortium__opportunity", "consortium__lead"),
        "consortia": Consortium.objects.filter(members__organisation__in=organisations)
        .distinct().select_related("opportunity", "lead"),
        "searches": SavedSearch.objects.filter(user=request.user),
        "notices": AwardNotice.objects.filter(organisation__in=organisations)
        .select_related("award__lot__opportunity").order_by("-sent_at")[:20],
        "returns": KpiReturn.objects.filter(
            kpi__contract__award__suppliers__in=organisations, submitted_at__isnull=True
        ).select_related("kpi__contract").distinct().order_by("due_date")[:20],
    }  # fmt: skip
    return render(request, "commissioning/provider_home.html", context)


def _consortia_led(request: HttpRequest, opportunity: Any) -> list[Consortium]:
    return list(
        Consortium.objects.filter(
            opportunity=opportunity, lead__in=access.provider_organisations(request.user)
        )
    )


@role_required(Role.PROVIDER)
@require_http_methods(["GET", "POST"])
def bid_new(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_user(request.user, pk)
    bidders = list(access.provider_organisations(request.user))
    consortia = _consortia_led(request, opportunity)
    post = request.method == "POST"
    files: Any = request.FILES if post else None
    held = _held_document(request, opportunity) if post else None
    if held is not None and not request.FILES.get("document"):
        files = MultiValueDict({"document": [held]})
    form = BidForm(request.POST if post else None, files,
                   opportunity=opportunity, bidders=bidders, consortia=consortia)  # fmt: skip
    changing = bool(request.POST.get("change"))  # "Change" on the check page: back to the form
    if post and not changing and form.is_valid() and not confirmed(request):
        return _check_bid(request, opportunity, form)
    if post and not changing and confirmed(request) and form.is_valid():
        consortium = next(
            (c for c in consortia if str(c.pk) == form.cleaned_data.get("consortium")), None
        )
        try:
            bid = services.bid_submit(
                opportunity=opportunity, bidder=form.cleaned_data["bidder"],
                consortium=consortium, by=request.user, **form.service_fields(opportunity),
            )  # fmt: skip
        except CommissioningError as exc:
            exc.field = bid_field(exc.field)
            add_service_error(form, exc)
        else:
            request.session.pop(HELD_DOCUMENT, None)
            messages.success(request, "Your bid is sealed until the deadline")
            return redirect("commissioning:bid_receipt", bid.uuid)
    context = {"page_title": f"Bid for {opportunity.title}", "opportunity": opportunity,
               "form": form, "open": opportunity.is_open_for_bids(),
               "held": held, "document_key": request.POST.get("document_key", "")}  # fmt: skip
    return render(
        request, "commissioning/bid_new.html", context, status=400 if form.errors else 200
    )


# A document attached to a bid waits, between the bid page and "Confirm and seal", in the
# session encrypted under a key only the bidder's browser holds (a hidden field), so the
# server never keeps a readable copy of bid content before the bid is sealed.
HELD_DOCUMENT = "opus_bid_document"


def _hold_document(request: HttpRequest, opportunity: Any, upload: Any) -> str:
    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    upload.seek(0)
    sealed = AESGCM(key).encrypt(nonce, upload.read(), str(opportunity.pk).encode())
    upload.seek(0)
    request.session[HELD_DOCUMENT] = {
        "opportunity": opportunity.pk,
        "name": upload.name,
        "type": upload.content_type or "application/octet-stream",
        "nonce": base64.b64encode(nonce).decode(),
        "data": base64.b64encode(sealed).decode(),
    }
    return base64.urlsafe_b64encode(key).decode()


def _held_document(request: HttpRequest, opportunity: Any) -> Any:
    held = request.session.get(HELD_DOCUMENT)
    key = request.POST.get("document_key", "")
    if not held or not key or held.get("opportunity") != opportunity.pk:
        return None
    try:
        data = AESGCM(base64.urlsafe_b64decode(key)).decrypt(
            base64.b64decode(held["nonce"]), base64.b64decode(held["data"]),
            str(opportunity.pk).encode(),
        )  # fmt: skip
    except (ValueError, TypeError, KeyError, binascii.Error, InvalidTag):
        return None
    return SimpleUploadedFile(held["name"], data, held["type"])


def _check_bid(request: HttpRequest, opportunity: Any, form: BidForm) -> HttpResponse:
    data = form.cleaned_data
    fields = form.service_fields(opportunity)
    rows = [row(_("Bidding as"), str(data["bidder"]), "#id_bidder", _("who is bidding"))]
    if data.get("consortium"):
        rows.append(
            row(
                _("Consortium"),
                dict(form.fields["consortium"].choices)[data["consortium"]],
                "#id_consortium",
                _("the consortium"),
            )
        )
    for lot in opportunity.lots.all():
        price = data.get(f"price_{lot.number}")
        rows.append(
            row(
                _("Lot %(n)s: %(title)s") % {"n": lot.number, "title": lot.title},
                pounds(price) if price is not None else _("Not bidding for this lot"),
                f"#id_price_{lot.number}",
                _("the price for lot %(n)s") % {"n": lot.number},
            )
        )
    for q in opportunity.questions.all():
        answer = data.get(f"answer_{q.number}") or _("No answer")
        rows.append(
            row(
                _("Question %(n)s") % {"n": q.number},
                Truncator(answer).words(40),
                f"#id_answer_{q.number}",
                _("the answer to question %(n)s") % {"n": q.number},
            )
        )
    for measure in fields["social_value"]:
        rows.append(
            row(
                _("Social value: %(m)s") % {"m": measure["measure"]},
                measure["quantity"],
                f"#id_sv_{measure['measure']}",
            )
        )
    hidden = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "confirm", "change", "document_key")
        for value in request.POST.getlist(name)
    ]
    upload = data.get("document")
    if upload:
        rows.append(
            row(
                _("Supporting document"),
                f"{upload.name} ({filesizeformat(upload.size)})",
                "#id_document",
                _("the supporting document"),
            )
        )
        hidden.append(("document_key", _hold_document(request, opportunity, upload)))
    else:
        rows.append(row(_("Supporting document"), _("None"), "#id_document", _("the document")))
    if "declaration" in form.fields:
        rows.append(
            row(
                _("Supplier declaration"),
                _("Made") if data.get("declaration") else _("Not made"),
                "#id_declaration",
                _("the declaration"),
            )
        )
    return check_answers_page(
        request,
        caption=opportunity.title,
        heading=_("Check your bid before you seal it"),
        rows=rows,
        warning=_(
            "Once sealed, no one — not even the council — can read your bid until the deadline. "
            "You can replace or withdraw it until then."
        ),
        action=reverse("commissioning:bid_new", args=[opportunity.pk]),
        hidden=hidden,
        button=_("Confirm and seal the bid"),
        change_by_post=True,
    )


@role_required(Role.PROVIDER)
@require_GET
def bid_receipt(request: HttpRequest, bid_uuid: str) -> HttpResponse:
    bid = access.get_bid_for_bidder(request.user, bid_uuid)
    context = {"page_title": f"Receipt {bid.receipt_number}", "bid": bid,
               "can_withdraw": bid.status == BidStatus.SUBMITTED
               and bid.opportunity.is_open_for_bids()}  # fmt: skip
    return render(request, "commissioning/bid_receipt.html", context)


@role_required(Role.PROVIDER)
@require_POST
def bid_withdraw(request: HttpRequest, bid_uuid: str) -> HttpResponse:
    bid = access.get_bid_for_bidder(request.user, bid_uuid)
    if bid.bidder_id not in set(
        access.provider_organisations(request.user).values_list("pk", flat=True)
    ):
        raise Http404("Only the bidder withdraws a bid")
    try:
        services.bid_withdraw(bid=bid, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your bid is withdrawn")
    return redirect("commissioning:bid_receipt", bid.uuid)


@role_required(Role.PROVIDER)
@require_POST
def clarification_ask(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_user(request.user, pk)
    form = ClarificationForm(request.POST)
    if form.is_valid():
        try:
            services.clarification_ask(
                opportunity=opportunity, question=form.cleaned_data["question"], by=request.user,
                organisation=access.provider_organisations(request.user).first(),
            )  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc)
    if form.errors:
        context = {"page_title": "Ask a question", "opportunity": opportunity, "form": form}
        return render(request, "commissioning/clarification_ask.html", context, status=400)
    messages.success(request, "Your question is sent; the answer will be published here")
    return redirect(opportunity)


@role_required(Role.PROVIDER)
@require_http_methods(["GET", "POST"])
def consortium_new(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_user(request.user, pk)
    leads = access.provider_organisations(request.user)
    form = ConsortiumForm(request.POST or None, leads=leads)
    if request.method == "POST" and form.is_valid():
        try:
            consortium = services.consortium_create(opportunity=opportunity, by=request.user,
                                                    **form.cleaned_data)  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Consortium started: now invite its members")
            return redirect("commissioning:consortium_detail", consortium.pk)
    context = {"page_title": "Form a consortium", "opportunity": opportunity, "form": form}
    return render(request, "commissioning/consortium_new.html", context,
                  status=400 if form.errors else 200)  # fmt: skip


@role_required(Role.PROVIDER)
@require_http_methods(["GET", "POST"])
def consortium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = access.get_consortium_for_member(request.user, pk)
    is_lead = access.provider_organisations(request.user).filter(pk=consortium.lead_id).exists()
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not is_lead:
            raise Http404("Only the lead invites members")
        if form.is_valid():
            try:
                services.consortium_invite(consortium=consortium, by=request.user,
                                           **form.cleaned_data)  # fmt: skip
            except CommissioningError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Invitation sent")
                return redirect("commissioning:consortium_detail", consortium.pk)
    context = {"page_title": consortium.name, "consortium": consortium, "is_lead": is_lead,
               "members": consortium.members.select_related("organisation"), "form": form,
               "problems": services.consortium_problems(consortium)}  # fmt: skip
    return render(request, "commissioning/consortium_detail.html", context,
                  status=400 if form.errors else 200)  # fmt: skip


@role_required(Role.PROVIDER)
@require_POST
def consortium_respond(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_invitation_for_user(request.user, pk)
    confirm = request.POST.get("confirm") == "yes"
    try:
        services.consortium_respond(member=member, confirm=confirm, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "You have joined the consortium" if confirm else "Declined")
    return redirect("commissioning:consortium_detail", member.consortium_id)


@role_required(Role.PROVIDER)
@require_POST
def saved_search_save(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.POST)
    form = SaveSearchForm(request.POST)
    if form.is_valid() and search.is_valid():
        try:
            services.saved_search_create(user=request.user, name=form.cleaned_data["name"],
                                         filters=search.filters(),
                                         alerts=form.cleaned_data["alerts"])  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc)
    if form.errors or search.errors:
        context = {"page_title": "Save a search", "form": form, "search": search}
        return render(request, "commissioning/search_save.html", context, status=400)
    messages.success(request, "Search saved: we will e-mail you new matches")
    return redirect("commissioning:provider_home")


@role_required(Role.PROVIDER)
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = SavedSearch.objects.filter(pk=pk, user=request.user).first()
    if search is None:
        raise Http404("No such search")
    services.saved_search_delete(search=search, by=request.user)
    messages.success(request, "Search deleted")
    return redirect("commissioning:provider_home")


@role_required(Role.PROVIDER)
@require_POST
def kpi_return_submit(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.get_return_for_provider(request.user, pk)
    form = KpiReturnForm(request.POST)
    if form.is_valid():
        try:
            services.kpi_return_submit(kpi_return=row, by=request.user, **form.cleaned_data)
        except CommissioningError as exc:
            add_service_error(form, exc)
    if form.errors:
        context = {"page_title": "Make a return", "row": row, "form": form}
        return render(request, "commissioning/kpi_return.html", context, status=400)
    messages.success(request, "Return received")
    return redirect(row.kpi.contract)
