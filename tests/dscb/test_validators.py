"""Board references only: free text that holds an NHS number or a date of birth is
refused (SECURITY.md row 18)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dscb.validators import (
    contains_date_of_birth,
    contains_nhs_number,
    is_nhs_number,
    validate_board_reference,
    validate_no_identifying_details,
)


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000018"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number):
    assert is_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "943476591", "94347659190", "abcdefghij"])
def test_numbers_failing_the_check_are_not_nhs_numbers(number):
    assert not is_nhs_number(number)


@pytest.mark.parametrize(
    "text",
    ["NHS 943 476 5919", "nhs no: 943-476-5919", "9434765919 seen by GP", "ref(9434765919)"],
)
def test_an_nhs_number_in_free_text_is_found_however_it_is_spaced(text):
    assert contains_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    ["Case MACA-2010-09-03 reviewed", "Tel 01392 383000", "943 476 5918", "94347659199", "16 of 20 records"],
)
def test_ordinary_text_and_other_numbers_are_not_flagged(text):
    assert not contains_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "DOB 03/04/2008",
        "d.o.b. 3.4.08",
        "Date of birth: 3 April 2008",
        "born on 3rd April 2008",
        "Born 2008-04-03",
        "birthday April 3, 2008",
    ],
)
def test_a_date_of_birth_is_found(text):
    assert contains_date_of_birth(text)


@pytest.mark.parametrize(
    "text",
    ["Strategy discussion held 12/03/2010", "Plan started 3 March 2010", "Born to be wild", "DOB not recorded"],
)
def test_other_dates_are_allowed(text):
    assert not contains_date_of_birth(text)


def test_the_validator_tells_people_to_use_the_board_reference():
    with pytest.raises(ValidationError, match="Use the board reference instead") as raised:
        validate_no_identifying_details("Child's NHS number 943 476 5919")
    assert raised.value.code == "nhs_number"
    with pytest.raises(ValidationError) as raised:
        validate_no_identifying_details("dob 01/02/2009")
    assert raised.value.code == "date_of_birth"
    validate_no_identifying_details("Core group met monthly.")


@pytest.mark.parametrize("reference", ["MACA-2010-09-03", "AI-2010-11-01", "MACA-2011-06-112"])
def test_board_references_in_the_default_pattern_are_accepted(reference):
    validate_board_reference(reference)


@pytest.mark.parametrize("reference", ["Jane Smith", "MACA 2010 09 03", "maca-2010-09-03", "9434765919", ""])
def test_anything_else_is_refused_as_a_board_reference(reference):
    with pytest.raises(ValidationError, match="Enter a board reference in the form MACA-2010-09-03"):
        validate_board_reference(reference)


def test_the_board_reference_pattern_is_configurable(settings):
    settings.BOARD_REFERENCE_PATTERN = r"DSCB/\d{4}/\d{3}"
    settings.BOARD_REFERENCE_EXAMPLE = "DSCB/2010/001"
    validate_board_reference("DSCB/2010/001")
    with pytest.raises(ValidationError, match="DSCB/2010/001"):
        validate_board_reference("MACA-2010-09-03")
