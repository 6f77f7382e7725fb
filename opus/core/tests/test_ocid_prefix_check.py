"""Production refuses the placeholder OCID prefix (issue 12, item 6): OCDS published under
'ocds-xxxxxx' would claim identifiers no one registered and clash with every other council."""

import pytest
from django.core.checks import run_checks

GOOD = {
    "SECRET_KEY": "k" * 50,
    "OPUS_BID_SEALING_SECRET": "s" * 32,
    "ALLOWED_HOSTS": ["opus.example"],
    "OCDS_OCID_PREFIX": "ocds-abc123",
}


def _opus_errors(settings, **overrides):
    settings.PRODUCTION = True
    for name, value in {**GOOD, **overrides}.items():
        setattr(settings, name, value)
    return sorted(m.id for m in run_checks() if m.id.startswith("opus."))


def test_a_registered_prefix_passes(settings):
    assert _opus_errors(settings) == []


@pytest.mark.parametrize("prefix", ["ocds-xxxxxx", "OCDS-XXXXXX", "", "  "])
def test_the_placeholder_or_no_prefix_is_refused_in_production(settings, prefix):
    assert _opus_errors(settings, OCDS_OCID_PREFIX=prefix) == ["opus.E004"]


def test_the_demo_may_keep_the_placeholder(settings):
    settings.PRODUCTION = False
    settings.OCDS_OCID_PREFIX = "ocds-xxxxxx"
    assert [m.id for m in run_checks() if m.id.startswith("opus.")] == []
