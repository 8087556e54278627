"""The roles a person may hold for the board. No models here: the access policy
(dscb.access) reads them without importing the models that store them."""

from __future__ import annotations

from django.db.models import TextChoices


class Role(TextChoices):
    """What a person does for the board. A person may hold several roles."""

    ADMINISTRATOR = "administrator", "Administrator"
    AUDIT_TEAM = "audit_team", "Audit team member"
    AGENCY_AUDITOR = "agency_auditor", "Agency auditor"
    PROFESSIONAL_LEAD = "professional_lead", "Professional lead"
    EXECUTIVE = "executive", "Executive member"
    BOARD_MEMBER = "board_member", "Board member"


# One boolean column per role on the user (dscb.models.User): no extra query to learn a
# user's roles, and the database can insist that an agency auditor belongs to an agency.
ROLE_FIELDS: dict[Role, str] = {
    Role.ADMINISTRATOR: "is_administrator",
    Role.AUDIT_TEAM: "is_audit_team",
    Role.AGENCY_AUDITOR: "is_agency_auditor",
    Role.PROFESSIONAL_LEAD: "is_professional_lead",
    Role.EXECUTIVE: "is_executive",
    Role.BOARD_MEMBER: "is_board_member",
}

# What each role does: on the home page, and as each role's hint where roles are given.
ROLE_DUTIES = {
    Role.ADMINISTRATOR: "Invite people, manage their roles and accounts, the agencies and the reference scales.",
    Role.AUDIT_TEAM: (
        "Plan audit rounds, record what each agency's case records show, grade cases on each theme, "
        "give feedback and escalate cases that need immediate intervention."
    ),
    Role.AGENCY_AUDITOR: "Enter your agency's records for the cases in the audit rounds you are assigned to.",
    Role.PROFESSIONAL_LEAD: "Keep the evidence for the recommendations you lead up to date before each update.",
    Role.EXECUTIVE: ("Own the action plan: recommendations, their rating at each six-monthly update, leads and dates."),
    Role.BOARD_MEMBER: "Read the dashboards and download the published six-monthly reports.",
}
