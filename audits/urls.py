from __future__ import annotations

from django.urls import URLPattern, path

from audits import views
from audits.lists import FeedbackStillToGive, InRound, ReturnsGrid, RoundCases, RoundEscalations
from dscb import lists  # noqa: F401  (registers the "listkind" path converter)

app_name = "audits"


def in_round(name: str, part: str, source: type[InRound], *, page: str | None = None) -> list[URLPattern]:
    """One of a round's lists: its downloads, and its page where it has one of its own."""
    download = path(
        f"rounds/<int:pk>/{part}.<listkind:kind>", views.in_round_download, {"source": source}, name=f"{name}_download"
    )
    if page is None:
        return [download]
    return [
        path(f"rounds/<int:pk>/{part}/", views.in_round_list, {"source": source, "template": page}, name=name),
        download,
    ]


urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds.<listkind:kind>", views.round_list_download, name="round_list_download"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    *in_round("round_cases", "cases", RoundCases, page="audits/round_cases.html"),
    *in_round("returns_grid", "returns", ReturnsGrid),
    *in_round("feedback_owed", "feedback", FeedbackStillToGive, page="audits/feedback_owed.html"),
    *in_round("escalation_list", "escalations", RoundEscalations, page="audits/escalation_list.html"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/move-on/", views.round_move_on, name="round_move_on"),
    path("rounds/<int:pk>/reopen/", views.round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/agency-returns/<int:agency>.xlsx", views.agency_return, name="agency_return"),
    path("rounds/<int:pk>/agency-returns/upload/", views.return_upload, name="return_upload"),
    path("rounds/<int:pk>/agency-returns/<slug:token>/", views.return_review, name="return_review"),
    path("rounds/<int:pk>/cases/new/", views.case_create, name="case_create"),
    path("search/", views.case_search, name="case_search"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/print/", views.case_print, name="case_print"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/grades/", views.case_grades, name="case_grades"),
    path("cases/<int:pk>/finalise/", views.case_finalise, name="case_finalise"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/feedback/", views.case_feedback, name="case_feedback"),
    path("cases/<int:pk>/records/new/", views.record_create, name="record_create"),
    path("cases/<int:pk>/escalations/new/", views.escalation_create, name="escalation_create"),
    path("cases/<int:pk>/participants/new/", views.participant_add, name="participant_add"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/feedback/", views.record_feedback, name="record_feedback"),
    path("records/<int:pk>/feedback/not-needed/", views.feedback_not_needed, name="feedback_not_needed"),
    path("escalations/<int:pk>/", views.escalation_edit, name="escalation_edit"),
    path("escalations/<int:pk>/withdraw/", views.escalation_withdraw, name="escalation_withdraw"),
    path("participants/<int:pk>/remove/", views.participant_remove, name="participant_remove"),
]
