"""Every person's address, as an administrator set it, becomes their one verified and
primary allauth address. Before, allauth added it unverified when someone opened a reset
link, and an unverified address stops a person setting up two-step verification.
dscb.services.user_email_address_sync keeps it so from now on."""

from django.db import migrations


def verify_email_addresses(apps, schema_editor):
    User = apps.get_model("dscb", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    users = list(User.objects.values_list("pk", "email"))
    # Every stray row first: a verified address must be unique across people, and one
    # person may hold another's old address.
    for pk, email in users:
        EmailAddress.objects.filter(user_id=pk).exclude(email=email).delete()
    for pk, email in users:
        if email and not EmailAddress.objects.filter(user_id=pk, email=email).update(verified=True, primary=True):
            EmailAddress.objects.create(user_id=pk, email=email, verified=True, primary=True)


class Migration(migrations.Migration):
    dependencies = [
        ("dscb", "0003_cache_table"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    # Nothing to undo: the rows were only made to say what was already true.
    operations = [migrations.RunPython(verify_email_addresses, migrations.RunPython.noop)]
