"""Good-practice forms, shown with the GOV.UK error summary."""

from __future__ import annotations

from typing import Any

from django import forms

from opus.core.fields import GovukForm
from opus.directory.models import TaxonomyTerm
from opus.knowledge.models import Audience, Entry, EntryKind
from opus.knowledge.services import MAX_TAGS, split_tags


class NeedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TaxonomyTerm) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent else obj.name


class EntryForm(GovukForm):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label="Organisation you are writing for",
        empty_label="Choose your organisation",
        error_messages={
            "required": "Choose the organisation you are writing for",
            "invalid_choice": "Choose one of the organisations you work for",
        },
    )
    kind = forms.ChoiceField(
        choices=EntryKind.choices,
        widget=forms.RadioSelect,
        label="What kind of entry is it?",
        help_text=(
            "A case study tells what happened somewhere; a working model is a way of doing "
            "things others can copy; guidance explains how to do something."
        ),
        error_messages={
            "required": "Choose what kind of entry this is",
            "invalid_choice": "Choose what kind of entry this is",
        },
    )
    title = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    summary = forms.CharField(
        max_length=500,
        widget=forms.Textarea,
        help_text="One or two sentences shown in search results, 500 characters at most",
        error_messages={
            "required": "Write a short summary",
            "max_length": "The summary must be 500 characters or fewer",
        },
    )
    body = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea,
        label="The entry",
        help_text="Plain text. Leave a blank line between paragraphs.",
        error_messages={
            "required": "Write the entry",
            "max_length": "The entry must be 20,000 characters or fewer",
        },
    )
    audiences = forms.MultipleChoiceField(
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Who is it for?",
        error_messages={
            "required": "Choose who the entry is for",
            "invalid_choice": "Choose who the entry is for from the list",
        },
    )
    tags = forms.CharField(
        required=False,
        max_length=500,
        help_text="Separate tags with commas, for example: consortium, home care, small grants",
        error_messages={"max_length": "Tags must be 500 characters or fewer in all"},
    )
    needs = NeedChoiceField(
        queryset=TaxonomyTerm.objects.filter(parent__isnull=False)
        .select_related("parent")
        .order_by("parent__name", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Needs it helps with (optional)",
        help_text="People looking for services for these needs may be shown this entry",
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1 and not self.is_bound:
            self.initial.setdefault("organisation", organisations[0].pk)

    def clean_tags(self) -> list[str]:
        tags = split_tags(self.cleaned_data.get("tags", ""))
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags")
        if any(len(tag) > 40 for tag in tags):
            raise forms.ValidationError("Each tag must be 40 characters or fewer")
        return tags

    @staticmethod
    def initial_for(entry: Entry) -> dict[str, Any]:
        return {
            "organisation": entry.organisation_id,
            "kind": entry.kind,
            "title": entry.title,
            "summary": entry.summary,
            "body": entry.body,
            "audiences": entry.audience_codes,
            "tags": ", ".join(t.name for t in entry.tags.all()),
            "needs": [t.pk for t in entry.needs.all()],
        }


class ReturnForm(GovukForm):
    reason = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="Why are you returning it?",
        help_text="The author sees this and can change the entry and send it again",
        error_messages={
            "required": "Say why the entry is being returned",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the entry is being returned")
        return reason
