"""The suite's property tests run without timing checks unless someone asks for them."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="another profile was asked for"
)
def test_the_ci_profile_is_loaded_with_no_deadline_and_no_too_slow_check():
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


@given(st.integers())
@settings(max_examples=5)
def test_a_test_that_sets_its_own_examples_keeps_the_profiles_timing(_value):
    assert settings().deadline is None
