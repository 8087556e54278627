"""What tests/production/check.sh's walk needs, made through the services as the
Executive would, in the production settings it runs with: the bucket (in moto_server),
an Executive member with a password and an authenticator app, an action plan with one
recommendation and an open update, and a report on it. Prints them as JSON. With
``--bucket-only``, only the bucket."""

from __future__ import annotations

import datetime
import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dscb.settings")

import boto3
import django

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from dscb.models import User  # noqa: E402
from recommendations import services as plans  # noqa: E402
from recommendations.models import SourceKind  # noqa: E402
from reports import services as reports  # noqa: E402


def main() -> None:
    options = settings.STORAGES["default"]["OPTIONS"]
    boto3.client("s3", endpoint_url=options["endpoint_url"], region_name=options["region_name"]).create_bucket(
        Bucket=options["bucket_name"]
    )
    if "--bucket-only" in sys.argv:  # the load test's data is bench/grow.py's
        return
    password = secrets.token_urlsafe(16)
    secret = generate_totp_secret()
    with transaction.atomic():
        executive = User(email="executive@example.org", full_name="Production Check", is_executive=True)
        executive.set_password(password)
        executive.save()
        TOTP.activate(executive, secret)
        plan = plans.plan_create(by=executive, title="Production check plan")
        section = plans.section_create(
            plan=plan,
            by=executive,
            number=1,
            title="Practice review",
            source_kind=SourceKind.PRACTICE_REVIEW,
            source_name="Child P (production check)",
            source_date=datetime.date(2026, 1, 15),
        )
        recommendation = plans.recommendation_create(
            plan=plan,
            by=executive,
            values=plans.RecommendationInput(
                section=section,
                number="1.1",
                text="Agencies share chronologies before every conference.",
            ),
        )
        cycle = plans.cycle_open(plan=plan, by=executive, title="Check update", due_on=datetime.date(2026, 12, 31))
        report = reports.report_create(
            by=executive,
            title="Production check report",
            cycle=cycle,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        )
    json.dump(
        {
            "email": executive.email,
            "password": password,
            "totp_secret": secret,
            "recommendation": recommendation.pk,
            "report": report.pk,
            "bucket": options["bucket_name"],
            "s3_endpoint": options["endpoint_url"],
            "s3_region": options["region_name"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
