from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _


class MaximumLengthValidator:
    """Long passphrases are welcome (ASVS 6.2.9 asks for at least 64); this cap only
    keeps a megabyte-long "password" from tying up the Argon2 hasher."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("Your password must be %(max_length)d characters or fewer."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password must be %(max_length)d characters or fewer.") % {"max_length": self.max_length}


# Colours of the reference scales (grades, RAG statuses): data, applied by a style sheet.
hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hexadecimal digits, like #d4351c.")


# --- Identifying details (UK GDPR Art. 5(1)(c), 25) ---------------------------------------
# The service identifies children by board reference only. Free text that looks as if
# it holds an NHS number or a date of birth is refused, with a message saying why.

NHS_NUMBER_CANDIDATE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}"
    r"|\d{4}-\d{2}-\d{2})"
)
DATE_OF_BIRTH = re.compile(
    rf"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b|\bbirthday\b)[^\w]{{0,5}}(?:on\s+)?{_DATE}",
    re.IGNORECASE,
)
IDENTIFYING_DETAILS_HELP = "Use the board reference instead: never a child's name, NHS number or date of birth."


def is_nhs_number(digits: str) -> bool:
    """The NHS number check digit (modulus 11): the weighted sum of the first nine
    digits, weights 10 down to 2, gives the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def contains_nhs_number(text: str) -> bool:
    return any(is_nhs_number("".join(match.groups())) for match in NHS_NUMBER_CANDIDATE.finditer(text))


def contains_date_of_birth(text: str) -> bool:
    return bool(DATE_OF_BIRTH.search(text))


def validate_no_identifying_details(value: str) -> None:
    if not value:
        return
    if contains_nhs_number(value):
        raise ValidationError(
            f"This looks like it contains an NHS number. {IDENTIFYING_DETAILS_HELP}", code="nhs_number"
        )
    if contains_date_of_birth(value):
        raise ValidationError(
            f"This looks like it contains a date of birth. {IDENTIFYING_DETAILS_HELP}", code="date_of_birth"
        )


def validate_board_reference(value: str) -> None:
    # ASCII only: a year typed in full-width or Arabic-Indic digits must not pass as a second "2010".
    if not re.fullmatch(settings.BOARD_REFERENCE_PATTERN, value or "", flags=re.ASCII):
        raise ValidationError(
            f"Enter a board reference in the form {settings.BOARD_REFERENCE_EXAMPLE}. "
            "Never enter a child's name, NHS number or date of birth.",
            code="board_reference",
        )
