"""Administration in the service's own pages: the landing page, and people, their roles
and accounts. Each view checks the access policy, reads the form and calls a service."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from dscb import access, selectors, services
from dscb.access import Action, AuthenticatedRequest
from dscb.forms import save_or_report
from dscb.models import User
from dscb.people_forms import ConfirmChangeForm, ConfirmResetForm, PersonForm
from dscb.people_lists import People
from dscb.views import form_page


def person_or_404(pk: int) -> User:
    person = selectors.person_for_administrator(pk)
    if person is None:
        raise Http404
    return person


@require_safe
@access.permission_required(Action.ADMINISTER)
def administration(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "dscb/administration.html",
        {"sees_security_events": access.can(request.user, Action.VIEW_SECURITY_EVENTS)},
    )


@require_safe
@access.permission_required(Action.ADMINISTER)
def people(request: AuthenticatedRequest) -> HttpResponse:
    source = People(filters=request.GET)
    paging = source.paging(request.GET.get("page"))
    return render(
        request,
        "dscb/people/list.html",
        {"source": source, "form": source.form, "paging": paging, "table": source.page_table(paging)},
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def person_invite(request: AuthenticatedRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, instance=User())

    def invite() -> User:
        form.instance = services.person_invite(by=request.user, details=form.details(), request=request)
        return form.instance

    if form.is_valid() and save_or_report(form, invite):
        purpose = "to choose a password" if settings.LOCAL_PASSWORDS else "saying how to sign in"
        messages.success(
            request,
            f"{form.instance.get_full_name()} has been invited: an email has been sent to {form.instance.email} "
            f"{purpose}.",
        )
        return redirect("person_detail", form.instance.pk)
    return form_page(
        request,
        form,
        title="Invite a person",
        caption="People",
        intro=(
            "They are emailed a link to choose their password, then set up two-step verification "
            "when they first sign in."
        ),
        back_url=reverse("people"),
        submit="Invite person",
    )


@require_safe
@access.permission_required(Action.ADMINISTER)
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_or_404(pk)
    return render(
        request,
        "dscb/people/detail.html",
        {
            "person": person,
            "is_self": person.pk == request.user.pk,
            "sees_security_events": access.can(request.user, Action.VIEW_SECURITY_EVENTS),
            "history": selectors.history_of(person),
        },
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def person_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_or_404(pk)
    form = PersonForm(request.POST or None, instance=person)
    if form.is_valid() and save_or_report(
        form,
        lambda: services.person_update(
            person=person,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            details=form.details(),
            request=request,
        ),
    ):
        messages.success(request, f"The details and roles of {person.get_full_name()} have been saved.")
        return redirect("person_detail", person.pk)
    return form_page(
        request,
        form,
        title="Change details and roles",
        caption=person.get_full_name(),
        back_url=reverse("person_detail", args=[person.pk]),
        submit="Save",
    )


def _confirm_active_change(request: AuthenticatedRequest, pk: int, *, active: bool) -> HttpResponse:
    person = person_or_404(pk)
    if person.is_active == active:
        return redirect("person_detail", person.pk)  # already so: nothing to confirm
    change = services.person_reactivate if active else services.person_deactivate
    form = ConfirmChangeForm(request.POST or None, initial={"version": person.version})
    if form.is_valid() and save_or_report(
        form,
        lambda: change(person=person, by=request.user, expected_version=form.cleaned_data["version"], request=request),
    ):
        done = "reactivated: they can sign in again" if active else "deactivated: they can no longer sign in"
        messages.success(request, f"The account of {person.get_full_name()} has been {done}.")
        return redirect("person_detail", person.pk)
    if active:
        title, submit = f"Reactivate the account of {person.get_full_name()}", "Reactivate account"
        intro = (
            "They can sign in again, with the roles they had. "
            "Their password and two-step verification are as they were."
        )
    else:
        title, submit = f"Deactivate the account of {person.get_full_name()}", "Deactivate account"
        intro = (
            "They can no longer sign in, and are signed out at once. Nothing they did is deleted, "
            "and you can reactivate the account later."
        )
    return form_page(
        request,
        form,
        title=title,
        caption="People",
        intro=intro,
        back_url=reverse("person_detail", args=[person.pk]),
        submit=submit,
        warning=not active,
    )


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def person_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _confirm_active_change(request, pk, active=False)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def person_reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _confirm_active_change(request, pk, active=True)


@require_http_methods(["GET", "POST"])
@access.permission_required(Action.ADMINISTER)
def person_authenticator_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_or_404(pk)
    form = ConfirmResetForm(request.POST or None)
    if form.is_valid() and save_or_report(
        form, lambda: services.person_authenticator_reset(person=person, by=request.user, request=request)
    ):
        messages.success(
            request,
            f"The authenticator of {person.get_full_name()} has been reset: they set up a new one when they next "
            "sign in. They have been told by email.",
        )
        return redirect("person_detail", person.pk)
    return form_page(
        request,
        form,
        title=f"Reset the authenticator of {person.get_full_name()}",
        caption="People",
        intro=(
            "Their authenticator app and recovery codes are removed, and they are emailed to say so. "
            "They set up a new authenticator app the next time they sign in. Do this when someone has lost "
            "their phone, or their codes."
        ),
        back_url=reverse("person_detail", args=[person.pk]),
        submit="Reset authenticator",
        warning=True,
    )
