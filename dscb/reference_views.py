"""The reference data pages: one set of pages for every kind registered in
dscb.reference, for administrators. Rows are added and changed, retired by unticking
"active", never deleted; a scale's words are one row, only changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods, require_safe

from dscb import access, reference, selectors
from dscb.access import Action, AuthenticatedRequest
from dscb.concurrency import Versioned
from dscb.forms import reference_form, save_or_report
from dscb.models import field_label
from dscb.reference import ReferenceKind
from dscb.views import form_page

RETIRING = "Untick “Active” to retire it: past records keep it, and nothing new can use it."


def kind_or_404(slug: str) -> ReferenceKind:
    kind = reference.kind_named(slug)
    if kind is None:
        raise Http404("There is no such kind of reference data.")
    return kind


def row_or_404(kind: ReferenceKind, pk: int) -> Versioned:
    row = kind.rows().filter(pk=pk).first()
    if row is None:
        raise Http404(f"There is no such {kind.noun}.")
    return row


def _list_url(kind: ReferenceKind) -> str:
    return reverse("reference_data_list", args=[kind.slug])


def _cell(row: Versioned, name: str) -> str:
    value = getattr(row, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


@require_safe
@access.permission_required(Action.ADMINISTER)
def reference_data(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "dscb/reference_data.html", {"kinds": list(reference.KINDS.values())})


@require_safe
@access.permission_required(Action.ADMINISTER)
def reference_data_list(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    chosen = kind_or_404(kind)
    if chosen.single_row:
        only = chosen.rows().only("pk").first()
        if only is None:
            raise Http404(f"There is no {chosen.noun}.")
        return redirect("reference_data_change", chosen.slug, only.pk)
    name, *_rest = chosen.fields
    headings = [capfirst(field_label(chosen.model, column)) for column in chosen.columns]
    rows = [
        {
            "pk": row.pk,
            "name": _cell(row, name),
            "cells": [_cell(row, column) for column in chosen.columns],
            "is_active": getattr(row, "is_active", True),
        }
        for row in chosen.rows()
    ]
    return render(
        request,
        "dscb/reference_data_list.html",
        {
            "kind": chosen,
            "name_heading": capfirst(field_label(chosen.model, name)),
            "headings": headings,
            "rows": rows,
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def reference_data_add(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    chosen = kind_or_404(kind)
    if chosen.single_row:
        raise Http404(f"There is one {chosen.noun}: change it rather than adding another.")
    form = reference_form(chosen.model, chosen.fields)(request.POST or None)

    def add() -> Versioned:
        form.instance = reference.reference_create(kind=chosen, by=request.user, values=form.values())
        return form.instance

    # Sent twice, the form's one-time key makes the second copy find what the first added.
    if form.is_valid() and save_or_report(form, add):
        messages.success(request, f"“{form.instance}” has been added.")
        return redirect(_list_url(chosen))
    return form_page(
        request, form, title=chosen.add_title, caption=chosen.title, back_url=_list_url(chosen), submit="Add"
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def reference_data_change(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    chosen = kind_or_404(kind)
    row = row_or_404(chosen, pk)
    locked = chosen.locked(row)
    form = reference_form(chosen.model, chosen.fields)(
        request.POST or None, instance=row, locked=locked, locked_hint=chosen.locked_hint
    )
    if form.is_valid() and save_or_report(
        form,
        lambda: reference.reference_update(
            kind=chosen, row=row, by=request.user, expected_version=form.cleaned_data["version"], values=form.values()
        ),
    ):
        messages.success(request, f"“{row}” has been saved.")
        return redirect("reference_data" if chosen.single_row else _list_url(chosen))
    context: dict[str, Any] = {
        "title": f"Change the {chosen.noun}",
        "history": selectors.history_of(row),
        "history_of": f"this {chosen.noun}",
    }
    if chosen.single_row:
        context |= {"caption": "Reference data", "back_url": reverse("reference_data"), "intro": chosen.description}
    else:
        context |= {"caption": chosen.title, "back_url": _list_url(chosen), "intro": RETIRING}
    return form_page(request, form, submit="Save", **context)
