"""Identifier checks: postcodes, ONS codes, charity and company numbers, org-ids."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opus.engines.identifiers import (
    check_charity_number,
    check_company_number,
    check_ons_code,
    check_org_id,
    normalise_postcode,
)


@pytest.mark.parametrize(
    "raw, expected",
    [("sw1a1aa", "SW1A 1AA"), (" m1 1ae ", "M1 1AE"), ("B33 8TH", "B33 8TH"),
     ("cr26xh", "CR2 6XH"), ("DN551PT", "DN55 1PT"), ("W1A 0AX", "W1A 0AX"), ("gir0aa", "GIR 0AA")],
)  # fmt: skip
def test_postcodes_are_normalised_to_one_space_and_capitals(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("bad", ["", "SW1A", "QA1 1AA", "SW1A 1CA", "12345", "SW1A 1AAA"])
def test_malformed_postcodes_are_refused_with_an_example(bad):
    with pytest.raises(ValueError, match="like SW1A 1AA"):
        normalise_postcode(bad)


@given(st.text(max_size=12))
def test_a_normalised_postcode_normalises_to_itself(text):
    try:
        once = normalise_postcode(text)
    except ValueError:
        return
    assert normalise_postcode(once) == once


def test_ons_codes_are_checked_by_kind():
    assert check_ons_code(" e01000001 ", "lsoa") == "E01000001"
    assert check_ons_code("E06000047", "la") == "E06000047"
    with pytest.raises(ValueError, match="is not a LSOA code"):
        check_ons_code("E05000001", "lsoa")
    with pytest.raises(ValueError, match="is not an ONS area code"):
        check_ons_code("E0100001")


def test_charity_and_company_numbers():
    assert check_charity_number("1234567") == "1234567"
    assert check_charity_number("sc012345") == "SC012345"
    assert check_company_number("1234567") == "01234567"
    assert check_company_number("sc123456") == "SC123456"
    for bad in ["12", "ABCDEFG"]:
        with pytest.raises(ValueError):
            check_charity_number(bad)
    with pytest.raises(ValueError):
        check_company_number("XX123456")


def test_org_ids_check_the_identifier_for_known_lists():
    assert check_org_id("GB-CHC-1234567") == "GB-CHC-1234567"
    assert check_org_id("GB-COH-01234567") == "GB-COH-01234567"
    assert check_org_id("GB-LAE-NVL") == "GB-LAE-NVL"
    with pytest.raises(ValueError, match="should be written GB-COH-01234567"):
        check_org_id("GB-COH-1234567")
    with pytest.raises(ValueError, match="is not an org-id"):
        check_org_id("1234567")
