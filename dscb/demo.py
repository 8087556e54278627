"""Demo accounts, one per role. Loaded only by `manage.py seed_demo`, which refuses
to run unless DEBUG is on, so a production installation never has them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from dscb.models import Agency, User, field_label

# Long enough for the password rules, and plainly not a real person's password.
DEMO_PASSWORD = "demo-safeguarding-2026"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role_field: str
    agency_short_name: str | None = None

    @property
    def description(self) -> str:
        role = field_label(User, self.role_field)
        return f"{role} ({self.agency_short_name})" if self.agency_short_name else role


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.org", "Demo Administrator", "is_administrator"),
    DemoAccount("auditor@example.org", "Demo Audit Team Member", "is_audit_team"),
    DemoAccount("agency.auditor@example.org", "Demo Police Auditor", "is_agency_auditor", "Police"),
    DemoAccount("lead@example.org", "Demo Professional Lead", "is_professional_lead"),
    DemoAccount("executive@example.org", "Demo Executive Member", "is_executive"),
    DemoAccount("board@example.org", "Demo Board Member", "is_board_member"),
)


def load() -> None:
    create_demo_accounts()


@transaction.atomic
def create_demo_accounts() -> list[User]:
    users = []
    for account in DEMO_ACCOUNTS:
        agency = Agency.objects.get(short_name=account.agency_short_name) if account.agency_short_name else None
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={"full_name": account.full_name, "agency": agency, account.role_field: True, "is_active": True},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users.append(user)
    return users
