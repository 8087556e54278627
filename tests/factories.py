from __future__ import annotations

import time

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from factory.django import DjangoModelFactory

from dscb.models import Agency, User

TEST_PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"A{n}")
    position = factory.Sequence(lambda n: 100 + n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


def activate_totp(user: User) -> str:
    """Give ``user`` an authenticator app, as if they had set one up; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, steps_from_now: int = 0) -> str:
    counter = int(time.time()) // 30 + steps_from_now
    return format_hotp_value(hotp_value(secret, counter))


__all__ = ["TEST_PASSWORD", "AgencyFactory", "Authenticator", "UserFactory", "activate_totp", "totp_code"]
