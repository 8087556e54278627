from __future__ import annotations

from django.urls import path

from dscb import lists  # noqa: F401  (registers the "listkind" path converter)
from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans.<listkind:kind>", views.plan_list_download, name="plan_list_download"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:plan>/", views.plan_detail, name="plan"),
    path("<int:plan>/plan.<listkind:kind>", views.plan_download, name="plan_download"),
    path("<int:plan>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:plan>/import/", views.plan_import, name="plan_import"),
    path("<int:plan>/import/action-plan-template.xlsx", views.plan_import_template, name="plan_import_template"),
    path("<int:plan>/import/<slug:token>/columns/", views.plan_import_columns, name="plan_import_columns"),
    path("<int:plan>/import/<slug:token>/", views.plan_import_review, name="plan_import_review"),
    path("<int:plan>/sections/new/", views.section_create, name="section_create"),
    path("<int:plan>/recommendations/new/", views.recommendation_create, name="recommendation_create"),
    path("<int:plan>/updates/", views.cycle_list, name="cycle_list"),
    path("<int:plan>/updates/new/", views.cycle_create, name="cycle_create"),
    path("scales.css", views.scale_styles, name="scale_styles"),
    path("mine/", views.my_recommendations, name="mine"),
    path("mine.<listkind:kind>", views.my_recommendations_download, name="mine_download"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue.<listkind:kind>", views.overdue_download, name="overdue_download"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "recommendations/<int:pk>/history.<listkind:kind>",
        views.recommendation_history_download,
        name="recommendation_history_download",
    ),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("recommendations/<int:pk>/closure/propose/", views.closure_propose, name="closure_propose"),
    path("recommendations/<int:pk>/closure/decide/", views.closure_decide, name="closure_decide"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/in-error/", views.evidence_mark_in_error, name="evidence_mark_in_error"),
    path("updates/<int:pk>/", views.cycle_ratings, name="cycle_ratings"),
    path("updates/<int:pk>/ratings.<listkind:kind>", views.cycle_ratings_download, name="cycle_ratings_download"),
    path("updates/<int:pk>/complete/", views.cycle_complete, name="cycle_complete"),
    path("updates/<int:pk>/reopen/", views.cycle_reopen, name="cycle_reopen"),
]
