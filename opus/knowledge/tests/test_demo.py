"""The demo library: synthetic published entries by demo organisations, and one to moderate."""

import pytest
from django.db import transaction

from opus.core.models import AuditEvent, OrganisationKind, Role
from opus.knowledge.demo import ENTRIES, SYNTHETIC, seed_knowledge
from opus.knowledge.models import Entry, EntryStatus
from opus.testing import create_member, create_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_organisations(db):
    council = create_organisation(name="Demo Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    create_member(Role.COMMISSIONER, council)
    create_member(Role.ADMIN, council)
    for kind in (OrganisationKind.CHARITY, OrganisationKind.MUTUAL, OrganisationKind.SME):
        create_member(Role.PROVIDER, create_organisation(kind=kind))


def test_the_demo_library_is_published_synthetic_and_has_one_entry_to_moderate(
    demo_organisations,
):
    with transaction.atomic():
        seed_knowledge(7)
    entries = Entry.objects.all()
    assert entries.count() == len(ENTRIES) >= 10
    assert entries.filter(status=EntryStatus.SUBMITTED).count() == 1
    assert all(SYNTHETIC in e.body for e in entries)
    published = entries.filter(status=EntryStatus.PUBLISHED)
    assert all(e.moderated_by_id and e.moderated_by_id != e.author_id for e in published)
    assert all(e.audiences.exists() and e.tags.exists() for e in entries)
    assert AuditEvent.objects.filter(action="knowledge.seed").count() == 1


def test_seeding_twice_adds_nothing_and_gives_the_same_library(demo_organisations):
    with transaction.atomic():
        seed_knowledge(1)
    first = list(Entry.objects.order_by("slug").values_list("slug", "organisation", "status"))
    with transaction.atomic():
        seed_knowledge(2)
    assert (
        list(Entry.objects.order_by("slug").values_list("slug", "organisation", "status")) == first
    )
