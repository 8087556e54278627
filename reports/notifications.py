"""The reports' emails: board members are told when a report is published or withdrawn
(README, "Emails the service sends")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from dscb.emails import link_to, send_to_each
from dscb.roles import Role
from dscb.selectors import people_with_role

if TYPE_CHECKING:
    from reports.models import PublishedReport


def published(publication: PublishedReport) -> None:
    send_to_each(
        key=f"report-published:{publication.pk}",
        template="reports/email/published",
        context={"publication": publication, "board_name": settings.BOARD_NAME, "link": link_to("reports:report_list")},
        people=people_with_role(Role.BOARD_MEMBER),
    )


def withdrawn(publication: PublishedReport) -> None:
    send_to_each(
        key=f"report-withdrawn:{publication.pk}",
        template="reports/email/withdrawn",
        context={"publication": publication, "board_name": settings.BOARD_NAME, "link": link_to("reports:report_list")},
        people=people_with_role(Role.BOARD_MEMBER),
    )
