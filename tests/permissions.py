"""The permission matrix: for every URL name, what each persona gets on a GET.

Every URL the project serves must have a row here, or the matrix test fails: a new
page cannot ship without someone deciding who may see it. Later sections add their
rows to ``MATRIX``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dscb.access import POLICY, Action
from dscb.models import Role
from tests.conftest import PERSONAS, ROLE_PERSONAS


@dataclass(frozen=True)
class Outcome:
    status: int
    # For redirects: the URL name the Location must start with.
    redirect_to: str | None = None

    def __str__(self) -> str:
        return f"{self.status} -> {self.redirect_to}" if self.redirect_to else str(self.status)


OK = Outcome(200)
DENIED = Outcome(403)
NOT_FOUND = Outcome(404)
NOT_ALLOWED = Outcome(405)
LOGIN = Outcome(302, "account_login")
MFA_SETUP = Outcome(302, "mfa_activate_totp")
HOME = Outcome(302, "home")
# For a POST: a redirect, anywhere but to sign in, and the database changed.
SAVED = Outcome(302, "(saved: the database changed)")
# For a POST: any answer but a refusal; whether anything changed is not this walk's concern.
ANSWERED = Outcome(200, "(answered: not refused)")
REFUSALS = frozenset({LOGIN, MFA_SETUP, DENIED, NOT_FOUND, NOT_ALLOWED})


def redirect(url_name: str) -> Outcome:
    return Outcome(302, url_name)


Row = dict[str, Outcome]


def row(
    *, anonymous: Outcome, without_mfa: Outcome, roles: dict[Role, Outcome] | Outcome, no_role: Outcome | None = None
) -> Row:
    """A deactivated person's session no longer signs them in: they fare as anonymous.
    Someone with no role fares as every role does, when all fare alike."""
    by_role = roles if isinstance(roles, dict) else dict.fromkeys(Role, roles)
    if no_role is None:
        assert not isinstance(roles, dict), "say what someone with no role gets"
        no_role = roles
    return {
        "anonymous": anonymous,
        "deactivated": anonymous,
        "without_mfa": without_mfa,
        "no_role": no_role,
        **{persona: by_role[role] for persona, role in ROLE_PERSONAS.items()},
    }


def public(outcome: Outcome = OK, *, signed_in: Outcome | None = None, without_mfa: Outcome | None = None) -> Row:
    signed_in = signed_in or outcome
    return row(anonymous=outcome, without_mfa=without_mfa or signed_in, roles=signed_in)


def signed_in(outcome: Outcome = OK, *, without_mfa: Outcome = MFA_SETUP) -> Row:
    return row(anonymous=LOGIN, without_mfa=without_mfa, roles=outcome)


def for_action(action: Action, outcome: Outcome = OK, *, refused: Outcome = DENIED) -> Row:
    """Roles the policy lets through get ``outcome``; the rest are refused."""
    allowed = POLICY[action]
    return row(
        anonymous=LOGIN,
        without_mfa=MFA_SETUP,
        roles={role: outcome if allowed is None or role in allowed else refused for role in Role},
        no_role=outcome if allowed is None else refused,
    )


def administrators(outcome: Outcome) -> Row:
    return for_action(Action.ADMINISTER, outcome)


def case_page(*, audit_team: Outcome = OK, agency_auditor: Outcome = OK) -> Row:
    """A page about a child's case, or what is in it. Nobody outside the audit team and
    the round's own auditors learns it exists (404). The sample objects put the agency
    auditor persona on the round, and the sample record is their agency's."""
    return row(
        anonymous=LOGIN,
        without_mfa=MFA_SETUP,
        roles=dict.fromkeys(Role, NOT_FOUND) | {Role.AUDIT_TEAM: audit_team, Role.AGENCY_AUDITOR: agency_auditor},
        no_role=NOT_FOUND,
    )


def post_only() -> Row:
    """A change made by POST only: a GET changes nothing and is refused."""
    return public(NOT_ALLOWED, without_mfa=MFA_SETUP)


MATRIX: dict[str, Row] = {
    # The board's own pages
    "home": signed_in(),
    "account": signed_in(),
    "accessibility": public(),
    "privacy": public(),
    "print_styles": public(),
    # For load balancers: the walk's sample data has a worker heartbeat, so it answers 200.
    "health": public(),
    "health_server": public(),
    # Security events: administrators only.
    "security_events": for_action(Action.VIEW_SECURITY_EVENTS),
    "security_events_download": for_action(Action.VIEW_SECURITY_EVENTS),
    # Sign-in and sign-out
    "account_login": public(OK, signed_in=HOME, without_mfa=HOME),
    # Signing out asks first on GET; it happens only on POST.
    "account_logout": public(LOGIN, signed_in=OK, without_mfa=OK),
    "account_inactive": public(OK, without_mfa=MFA_SETUP),
    "account_reauthenticate": signed_in(OK, without_mfa=OK),
    # Passwords
    "account_change_password": signed_in(),
    "account_set_password": signed_in(redirect("account_change_password")),
    "account_reset_password": public(OK, without_mfa=MFA_SETUP),
    "account_reset_password_done": public(OK, without_mfa=MFA_SETUP),
    "account_reset_password_from_key": public(OK, without_mfa=MFA_SETUP),
    "account_reset_password_from_key_done": public(OK, without_mfa=MFA_SETUP),
    # The organisation's identity provider: not found while OIDC_ISSUER is empty, as in
    # these walks (tests/dscb/test_oidc.py and the browser tests sign in through one).
    "openid_connect_login": public(NOT_FOUND),
    "openid_connect_callback": public(NOT_FOUND),
    # Two-step verification
    "mfa_index": signed_in(),
    # Only answers mid-sign-in, between the password and the code.
    "mfa_authenticate": public(LOGIN, signed_in=HOME, without_mfa=MFA_SETUP),
    "mfa_reauthenticate": signed_in(OK, without_mfa=redirect("account_reauthenticate")),
    # Someone who already has an authenticator app is shown how to turn it off instead.
    "mfa_activate_totp": signed_in(redirect("mfa_deactivate_totp"), without_mfa=OK),
    "mfa_deactivate_totp": signed_in(),
    "mfa_view_recovery_codes": signed_in(),
    "mfa_generate_recovery_codes": signed_in(),
    "mfa_download_recovery_codes": signed_in(),
    # Case audits
    "audits:round_list": for_action(Action.VIEW_AUDITS),
    "audits:round_list_download": for_action(Action.VIEW_AUDITS),
    "audits:case_search": for_action(Action.VIEW_AUDITS),
    "audits:round_create": for_action(Action.MANAGE_AUDITS),
    "audits:round_detail": case_page(),
    # A round's lists, on their pages and as CSV or XLSX: case data, as the round's page.
    "audits:round_cases": case_page(),
    "audits:round_cases_download": case_page(),
    "audits:returns_grid_download": case_page(),
    "audits:feedback_owed": case_page(),
    "audits:feedback_owed_download": case_page(),
    "audits:escalation_list": case_page(),
    "audits:escalation_list_download": case_page(),
    "audits:round_edit": case_page(agency_auditor=DENIED),
    "audits:round_move_on": post_only(),
    # Only a completed round can be re-opened: any other sends the person back to it.
    "audits:round_reopen": case_page(audit_team=redirect("audits:round_detail"), agency_auditor=DENIED),
    # Agency returns by spreadsheet: the audit team's, for agencies without an account.
    "audits:agency_return": case_page(agency_auditor=DENIED),
    "audits:return_upload": case_page(agency_auditor=DENIED),
    # The sample token names no upload kept: the audit team is sent to upload the return again.
    "audits:return_review": case_page(audit_team=redirect("audits:return_upload"), agency_auditor=DENIED),
    "audits:case_create": case_page(agency_auditor=DENIED),
    "audits:case_detail": case_page(),
    "audits:case_print": case_page(),
    "audits:case_edit": case_page(agency_auditor=DENIED),
    "audits:case_grades": case_page(agency_auditor=DENIED),
    "audits:case_finalise": post_only(),
    # Only a finalised case can be re-opened: a draft one sends the person back to it.
    "audits:case_reopen": case_page(audit_team=redirect("audits:case_detail"), agency_auditor=DENIED),
    "audits:record_create": case_page(),
    "audits:record_detail": case_page(),
    "audits:record_feedback": case_page(agency_auditor=DENIED),
    "audits:case_feedback": case_page(agency_auditor=DENIED),
    "audits:feedback_not_needed": case_page(agency_auditor=DENIED),
    "audits:escalation_create": case_page(agency_auditor=DENIED),
    "audits:escalation_edit": case_page(agency_auditor=DENIED),
    "audits:escalation_withdraw": case_page(agency_auditor=DENIED),
    "audits:participant_add": case_page(agency_auditor=DENIED),
    "audits:participant_remove": post_only(),
    # The action plan
    "recommendations:plan_list": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:plan_list_download": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:plan_create": for_action(Action.MANAGE_ACTION_PLAN),
    "recommendations:section_create": for_action(Action.MANAGE_ACTION_PLAN),
    "recommendations:plan": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:plan_download": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:scale_styles": public(),
    "recommendations:plan_edit": for_action(Action.MANAGE_ACTION_PLAN),
    "recommendations:plan_import": for_action(Action.MANAGE_ACTION_PLAN),
    "recommendations:plan_import_template": for_action(Action.MANAGE_ACTION_PLAN),
    # The sample token names no upload kept: the Executive is sent to upload the file again.
    "recommendations:plan_import_columns": for_action(
        Action.MANAGE_ACTION_PLAN, redirect("recommendations:plan_import")
    ),
    "recommendations:plan_import_review": for_action(
        Action.MANAGE_ACTION_PLAN, redirect("recommendations:plan_import")
    ),
    "recommendations:mine": for_action(Action.LEAD_RECOMMENDATIONS),
    "recommendations:mine_download": for_action(Action.LEAD_RECOMMENDATIONS),
    "recommendations:overdue": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:overdue_download": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:recommendation_create": for_action(Action.MANAGE_ACTION_PLAN),
    "recommendations:recommendation_detail": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:recommendation_history_download": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:recommendation_edit": for_action(Action.MANAGE_ACTION_PLAN),
    # The sample recommendation is led by the professional lead persona.
    "recommendations:evidence_add": for_action(Action.ADD_EVIDENCE),
    # Downloads answer 404 to anyone who may not read the plan: nothing to learn from them.
    "recommendations:evidence_download": for_action(Action.VIEW_ACTION_PLAN, refused=NOT_FOUND),
    # GET: the check before removing; a lead removes only what they added, and the sample
    # evidence is someone else's.
    "recommendations:evidence_remove": for_action(Action.ADD_EVIDENCE) | {"professional_lead": DENIED},
    # The sample evidence's update is open: it is removed, not marked; back to the recommendation.
    "recommendations:evidence_mark_in_error": for_action(
        Action.ADD_EVIDENCE, redirect("recommendations:recommendation_detail")
    )
    | {"professional_lead": DENIED},
    # The sample recommendation is open and led by the professional lead persona.
    "recommendations:closure_propose": for_action(Action.ADD_EVIDENCE),
    # Only a recommendation proposed for closure is decided on: back to the open sample.
    "recommendations:closure_decide": for_action(
        Action.MANAGE_ACTION_PLAN, redirect("recommendations:recommendation_detail")
    ),
    "recommendations:cycle_list": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:cycle_create": for_action(Action.MANAGE_ACTION_PLAN),
    "recommendations:cycle_ratings": for_action(Action.VIEW_ACTION_PLAN),
    "recommendations:cycle_ratings_download": for_action(Action.VIEW_ACTION_PLAN),
    # GET: the check before completing (an open update); completing itself is a POST.
    "recommendations:cycle_complete": for_action(Action.MANAGE_ACTION_PLAN),
    # The sample completed update, of a plan of its own: re-opening asks why.
    "recommendations:cycle_reopen": for_action(Action.MANAGE_ACTION_PLAN),
    # Dashboards and reports
    "reports:audit_dashboard": for_action(Action.VIEW_AUDIT_DASHBOARD),
    "reports:rag_dashboard": for_action(Action.VIEW_RAG_DASHBOARD),
    "reports:rag_list": for_action(Action.VIEW_RAG_DASHBOARD),
    "reports:rag_list_download": for_action(Action.VIEW_RAG_DASHBOARD),
    "reports:report_list": for_action(Action.READ_PUBLISHED_REPORTS),
    "reports:published_list_download": for_action(Action.READ_PUBLISHED_REPORTS),
    "reports:report_create": for_action(Action.MANAGE_REPORTS),
    "reports:report_detail": for_action(Action.MANAGE_REPORTS),
    "reports:report_edit": for_action(Action.MANAGE_REPORTS),
    "reports:section_add": for_action(Action.MANAGE_REPORTS),
    "reports:section_edit": for_action(Action.MANAGE_REPORTS),
    "reports:section_remove": post_only(),
    "reports:prose_edit": for_action(Action.MANAGE_REPORTS),
    "reports:prose_reset": post_only(),
    "reports:report_download": for_action(Action.MANAGE_REPORTS),
    # GET: the check before publishing; publishing itself is a POST.
    "reports:report_publish": for_action(Action.MANAGE_REPORTS),
    # A document the worker makes: asked for, its progress, and the draft made.
    "reports:draft_make": for_action(Action.MANAGE_REPORTS),
    "reports:document_job": for_action(Action.MANAGE_REPORTS),
    "reports:document_job_file": for_action(Action.MANAGE_REPORTS),
    "reports:document_job_retry": post_only(),
    # Published documents answer 404 to anyone who may not read them.
    "reports:published_download": for_action(Action.READ_PUBLISHED_REPORTS, refused=NOT_FOUND),
    "reports:published_withdraw": for_action(Action.MANAGE_REPORTS),
    # A round's learning summary: the audit team's until published; published, public-safe.
    "reports:learning_summary": for_action(Action.MANAGE_AUDITS),
    "reports:learning_draft": post_only(),
    "reports:learning_edit": for_action(Action.MANAGE_AUDITS),
    "reports:learning_preview": for_action(Action.MANAGE_AUDITS),
    "reports:learning_publish": for_action(Action.MANAGE_AUDITS),
    "reports:learning_download": for_action(Action.READ_PUBLISHED_REPORTS, refused=NOT_FOUND),
    # Subject access: administrators only.
    "reports:subject_access": administrators(OK),
    # A subject access export: only the administrator who asked for it (the sample's is theirs).
    "reports:subject_access_job": administrators(OK),
    "reports:subject_access_file": administrators(OK),
    "reports:subject_access_retry": post_only(),
    # Administration: people, their roles and accounts. The sample person is active and
    # has an authenticator: reactivating them has nothing to confirm.
    "administration": administrators(OK),
    "people": administrators(OK),
    "person_invite": administrators(OK),
    "person_detail": administrators(OK),
    "person_change": administrators(OK),
    "person_deactivate": administrators(OK),
    "person_reactivate": administrators(redirect("person_detail")),
    "person_authenticator_reset": administrators(OK),
    # Reference data: administrators only. The sample kind is the agencies
    # (REFERENCE_DATA below says what every other kind answers).
    "reference_data": administrators(OK),
    "reference_data_list": administrators(OK),
    "reference_data_add": administrators(OK),
    "reference_data_change": administrators(OK),
    # Retention and legal holds: administrators only.
    "reports:retention": administrators(OK),
    "reports:retention_rule_edit": administrators(OK),
    "reports:legal_hold_place": administrators(OK),
    "reports:legal_hold_lift": administrators(OK),
}

assert all(set(r) == set(PERSONAS) for r in MATRIX.values())


def like_get(name: str) -> Row:
    """For pages whose gate does not depend on the method (allauth's):
    those who may open the page are answered, the rest refused as on a GET."""
    return {persona: ANSWERED if outcome not in REFUSALS else outcome for persona, outcome in MATRIX[name].items()}


# What each persona gets on a POST, for every URL that takes one (tests/test_post_walk.py).
# Those refused leave the database as it was; those with SAVED change it.
POSTS: dict[str, Row] = {
    # Case audits
    "audits:round_create": for_action(Action.MANAGE_AUDITS, SAVED),
    "audits:round_edit": case_page(audit_team=SAVED, agency_auditor=DENIED),
    # The sample round has no dates or cases yet: moving it on is refused on its page.
    "audits:round_move_on": case_page(audit_team=OK, agency_auditor=DENIED),
    "audits:round_reopen": case_page(audit_team=redirect("audits:round_detail"), agency_auditor=DENIED),
    # The plausible form has no file: refused beside the field. Nothing is saved before the confirm.
    "audits:return_upload": case_page(audit_team=OK, agency_auditor=DENIED),
    "audits:return_review": case_page(audit_team=redirect("audits:return_upload"), agency_auditor=DENIED),
    "audits:case_create": case_page(audit_team=SAVED, agency_auditor=DENIED),
    "audits:case_edit": case_page(audit_team=SAVED, agency_auditor=DENIED),
    "audits:case_grades": case_page(audit_team=SAVED, agency_auditor=DENIED),
    # The sample case has no grades yet: finalising it is refused by the rule, on the case page.
    "audits:case_finalise": case_page(audit_team=redirect("audits:case_detail"), agency_auditor=DENIED),
    # Only a finalised case can be re-opened: a draft one sends the person back to it.
    "audits:case_reopen": case_page(audit_team=redirect("audits:case_detail"), agency_auditor=DENIED),
    "audits:record_create": case_page(audit_team=SAVED, agency_auditor=SAVED),
    "audits:record_detail": case_page(audit_team=SAVED, agency_auditor=SAVED),
    # The form as rendered says no feedback was given yet: nothing to record.
    "audits:record_feedback": case_page(audit_team=redirect("audits:case_detail"), agency_auditor=DENIED),
    "audits:case_feedback": case_page(audit_team=redirect("audits:case_detail"), agency_auditor=DENIED),
    "audits:feedback_not_needed": case_page(audit_team=SAVED, agency_auditor=DENIED),
    "audits:escalation_create": case_page(audit_team=SAVED, agency_auditor=DENIED),
    "audits:escalation_edit": case_page(audit_team=SAVED, agency_auditor=DENIED),
    # The form as rendered has no reason: refused beside the field.
    "audits:escalation_withdraw": case_page(agency_auditor=DENIED),
    "audits:participant_add": case_page(audit_team=SAVED, agency_auditor=DENIED),
    "audits:participant_remove": case_page(audit_team=SAVED, agency_auditor=DENIED),
    # The action plan
    "recommendations:plan_create": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    "recommendations:section_create": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    "recommendations:plan_edit": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    # The plausible form has no file: refused beside the field. Nothing is saved before the confirm.
    "recommendations:plan_import": for_action(Action.MANAGE_ACTION_PLAN, OK),
    "recommendations:plan_import_columns": for_action(
        Action.MANAGE_ACTION_PLAN, redirect("recommendations:plan_import")
    ),
    "recommendations:plan_import_review": for_action(
        Action.MANAGE_ACTION_PLAN, redirect("recommendations:plan_import")
    ),
    "recommendations:recommendation_create": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    "recommendations:recommendation_edit": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    # The sample recommendation is led by the professional lead persona.
    "recommendations:evidence_add": for_action(Action.ADD_EVIDENCE, SAVED),
    # A lead removes only what they added; the sample evidence is someone else's.
    "recommendations:evidence_remove": for_action(Action.ADD_EVIDENCE, SAVED) | {"professional_lead": DENIED},
    "recommendations:evidence_mark_in_error": for_action(
        Action.ADD_EVIDENCE, redirect("recommendations:recommendation_detail")
    )
    | {"professional_lead": DENIED},
    # plausible() gives a statement of impact.
    "recommendations:closure_propose": for_action(Action.ADD_EVIDENCE, SAVED),
    "recommendations:closure_decide": for_action(
        Action.MANAGE_ACTION_PLAN, redirect("recommendations:recommendation_detail")
    ),
    # The sample update is still open: the rule refuses a second one, on the form.
    "recommendations:cycle_create": for_action(Action.MANAGE_ACTION_PLAN, OK),
    "recommendations:cycle_ratings": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    "recommendations:cycle_complete": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    "recommendations:cycle_reopen": for_action(Action.MANAGE_ACTION_PLAN, SAVED),
    # Reports
    "reports:report_create": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:report_edit": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:section_add": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:section_edit": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:section_remove": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:prose_edit": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:prose_reset": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:report_publish": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:draft_make": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:document_job_retry": for_action(Action.MANAGE_REPORTS, SAVED),
    "reports:published_withdraw": for_action(Action.MANAGE_REPORTS, SAVED),
    # The sample round already has its summary: drafting again is refused, on its page.
    "reports:learning_draft": for_action(Action.MANAGE_AUDITS, redirect("reports:learning_summary")),
    "reports:learning_edit": for_action(Action.MANAGE_AUDITS, SAVED),
    "reports:learning_publish": for_action(Action.MANAGE_AUDITS, SAVED),
    # plausible() gives the sample case's reference: the worker is asked for the export, and
    # the reads are recorded. The sample failed export is the administrator persona's.
    "reports:subject_access": administrators(SAVED),
    "reports:subject_access_retry": administrators(SAVED),
    # Administration: plausible() gives a new person to invite (tests/test_create_once.py).
    "person_invite": administrators(SAVED),
    "person_change": administrators(SAVED),
    "person_deactivate": administrators(SAVED),
    # The sample person is active: nothing to reactivate, back to their page.
    "person_reactivate": administrators(redirect("person_detail")),
    "person_authenticator_reset": administrators(SAVED),
    # Reference data: plausible() fills in a new agency; a change saved as shown claims a version.
    "reference_data_add": administrators(SAVED),
    "reference_data_change": administrators(SAVED),
    "reports:retention_rule_edit": administrators(SAVED),
    # plausible() gives a new round (test_create_once.py) and a reason; the lift, a reason.
    "reports:legal_hold_place": administrators(SAVED),
    "reports:legal_hold_lift": administrators(SAVED),
}
# Pages that only ever answer a GET (405 to a POST).
TAKE_NO_POST = {
    "account_inactive",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
}
# Sign-in, passwords and two-step verification: their gates do not depend on the method.
POSTS |= {name: like_get(name) for name in MATRIX if name.startswith(("account_", "mfa_")) and name not in TAKE_NO_POST}
POSTS |= {
    # Signing out happens on POST, and leads to sign-in.
    "account_logout": public(LOGIN),
    "openid_connect_login": like_get("openid_connect_login"),
    "openid_connect_callback": like_get("openid_connect_callback"),
}


# Reference data, kind by kind (tests/test_permission_matrix.py): a scale's words are one
# row, so its list leads to that row's page and it has no page for adding another.
REFERENCE_DATA: dict[str, dict[str, Row]] = {
    slug: {
        "reference_data_list": administrators(redirect("reference_data_change") if single_row else OK),
        "reference_data_add": administrators(NOT_FOUND if single_row else OK),
        "reference_data_change": administrators(OK),
    }
    for slug, single_row in (
        ("agencies", False),
        ("themes", False),
        ("grades", False),
        ("grade-scale", True),
        ("checklist-questions", False),
        ("rag-statuses", False),
        ("plan-scale", True),
    )
}
