"""Production refuses configurations that would be unsafe (opus/core/checks.py): a short or reused
sealing secret, any host, and the placeholder OCID prefix ('ocds-xxxxxx' would claim identifiers no
one registered and clash with every other council)."""

import pytest
from django.core.checks import run_checks

GOOD = {
    "SECRET_KEY": "k" * 50,
    "OPUS_BID_SEALING_SECRET": "s" * 32,
    "ALLOWED_HOSTS": ["opus.example"],
    "OCDS_OCID_PREFIX": "ocds-abc123",
    "OPUS_360_PREFIX": "360G-abc123",
    "OPUS_COUNCIL_NAME": "Northvale Council",
    "OPUS_COUNCIL_EMAIL": "opus@northvale.example",
}


def _opus_errors(settings, **overrides):
    settings.PRODUCTION = True
    for name, value in {**GOOD, **overrides}.items():
        setattr(settings, name, value)
    return sorted(m.id for m in run_checks() if m.id.startswith("opus."))


def test_a_sound_production_configuration_passes(settings):
    assert _opus_errors(settings) == []


def test_a_short_sealing_secret_is_refused_in_production(settings):
    assert _opus_errors(settings, OPUS_BID_SEALING_SECRET="x") == ["opus.E001"]


def test_a_sealing_secret_equal_to_the_secret_key_is_refused_in_production(settings):
    same = "q" * 50
    assert _opus_errors(settings, OPUS_BID_SEALING_SECRET=same, SECRET_KEY=same) == ["opus.E002"]


def test_any_host_is_refused_in_production(settings):
    assert _opus_errors(settings, ALLOWED_HOSTS=["opus.example", "*"]) == ["opus.E003"]


def test_the_checks_stop_the_deploy_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    _opus_errors(settings, ALLOWED_HOSTS=["*"])
    with pytest.raises(SystemCheckError, match="opus.E003"):
        call_command("check", "--deploy")


def test_development_is_not_held_to_them(settings):
    settings.PRODUCTION = False
    settings.OPUS_BID_SEALING_SECRET = ""
    settings.ALLOWED_HOSTS = ["*"]
    assert [m.id for m in run_checks() if m.id.startswith("opus.")] == []


@pytest.mark.parametrize("prefix", ["ocds-xxxxxx", "OCDS-XXXXXX", "", "  "])
def test_the_placeholder_or_no_prefix_is_refused_in_production(settings, prefix):
    assert _opus_errors(settings, OCDS_OCID_PREFIX=prefix) == ["opus.E004"]


def test_the_demo_may_keep_the_placeholder(settings):
    settings.PRODUCTION = False
    settings.OCDS_OCID_PREFIX = "ocds-xxxxxx"
    assert [m.id for m in run_checks() if m.id.startswith("opus.")] == []


@pytest.mark.parametrize("prefix", ["360G-vale", "360G-vale_2"])
def test_a_well_formed_360giving_prefix_passes_in_production(settings, prefix):
    assert _opus_errors(settings, OPUS_360_PREFIX=prefix) == []


@pytest.mark.parametrize("prefix", ["", "vale", "360G-", "360G-vale grants", "ocds-abc123"])
def test_a_missing_or_malformed_360giving_prefix_is_refused_in_production(settings, prefix):
    assert _opus_errors(settings, OPUS_360_PREFIX=prefix) == ["opus.E005"]
