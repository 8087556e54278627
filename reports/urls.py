from __future__ import annotations

from django.urls import path

from dscb import lists  # noqa: F401  (registers the "listkind" path converter)
from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboards/audits/", views.audit_dashboard, name="audit_dashboard"),
    path("dashboards/action-plan/", views.rag_dashboard, name="rag_dashboard"),
    path("dashboards/action-plan/recommendations/", views.rag_list, name="rag_list"),
    path("dashboards/action-plan/recommendations.<listkind:kind>", views.rag_list_download, name="rag_list_download"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/published.<listkind:kind>", views.published_list_download, name="published_list_download"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/sections/new/", views.section_edit, name="section_add"),
    path("reports/<int:pk>/sections/<int:section_pk>/", views.section_edit, name="section_edit"),
    path("reports/<int:pk>/sections/<int:section_pk>/remove/", views.section_remove, name="section_remove"),
    path("reports/<int:pk>/words/<slug:block>/", views.prose_edit, name="prose_edit"),
    path("reports/<int:pk>/words/<slug:block>/reset/", views.prose_reset, name="prose_reset"),
    path("reports/<int:pk>/download/<str:kind>/", views.report_download, name="report_download"),
    path("reports/<int:pk>/drafts/<str:kind>/", views.draft_make, name="draft_make"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reports/documents/<int:pk>/", views.document_job, name="document_job"),
    path("reports/documents/<int:pk>/file/", views.document_job_file, name="document_job_file"),
    path("reports/documents/<int:pk>/retry/", views.document_job_retry, name="document_job_retry"),
    path("published/<int:pk>/withdraw/", views.published_withdraw, name="published_withdraw"),
    path("published/<int:pk>/<str:kind>/", views.published_download, name="published_download"),
    path("rounds/<int:pk>/learning/", views.learning_summary, name="learning_summary"),
    path("rounds/<int:pk>/learning/draft/", views.learning_draft, name="learning_draft"),
    path("rounds/<int:pk>/learning/edit/", views.learning_edit, name="learning_edit"),
    path("rounds/<int:pk>/learning/preview/", views.learning_preview, name="learning_preview"),
    path("rounds/<int:pk>/learning/publish/", views.learning_publish, name="learning_publish"),
    path("rounds/<int:pk>/learning/published/", views.learning_download, name="learning_download"),
    path("subject-access/", views.subject_access_export, name="subject_access"),
    path("subject-access/<int:pk>/", views.subject_access_job, name="subject_access_job"),
    path("subject-access/<int:pk>/file/", views.subject_access_file, name="subject_access_file"),
    path("subject-access/<int:pk>/retry/", views.subject_access_retry, name="subject_access_retry"),
    path("administration/retention/", views.retention, name="retention"),
    path("administration/retention/<int:pk>/", views.retention_rule_edit, name="retention_rule_edit"),
    path("administration/retention/holds/new/", views.legal_hold_place, name="legal_hold_place"),
    path("administration/retention/holds/<int:pk>/lift/", views.legal_hold_lift, name="legal_hold_lift"),
]
