"""The demo county's needs assessment finds sensible priorities."""

import pytest
from django.core.management import call_command

from opus.needs.models import Assessment, Dataset, Indicator, Priority

pytestmark = pytest.mark.django_db


def test_the_demo_assessment_is_published_with_deprivation_gaps_on_top():
    call_command("seed_demo", "--seed", "5", verbosity=0)
    assert Indicator.objects.count() >= 20
    assert Dataset.objects.values("agency").distinct().count() >= 4  # a joint assessment
    assessment = Assessment.objects.get()
    assert assessment.is_published
    top = list(Priority.objects.filter(assessment=assessment)[:5])
    assert len(top) == 5 and top[0].people_affected > top[4].people_affected > 0
    assert sum(p.group == "Deprivation" for p in top) >= 3
