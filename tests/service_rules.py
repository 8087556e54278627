"""What a test of a service's rule checks, in every app: the service, called with no form,
refuses (beside the field named, if one is) and leaves every row as it was."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import pytest
from django.core.exceptions import ValidationError
from django.db import models


def every_row(written: Sequence[type[models.Model]]) -> dict[str, list[dict[str, object]]]:
    return {model.__name__: list(model._default_manager.order_by("pk").values()) for model in written}


class Refused(Protocol):
    def __call__(self, save: Callable[[], object], field: str | None = None) -> ValidationError: ...


def refusal_check(written: Sequence[type[models.Model]]) -> Refused:
    """A ``refused(save, field=None)`` for the tests of services that write ``written``."""

    def refused(save: Callable[[], object], field: str | None = None) -> ValidationError:
        before = every_row(written)
        with pytest.raises(ValidationError) as caught:
            save()
        if field is not None:
            assert field in caught.value.error_dict, caught.value
        assert every_row(written) == before
        return caught.value

    return refused
