from __future__ import annotations

from django.core.exceptions import ValidationError
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
