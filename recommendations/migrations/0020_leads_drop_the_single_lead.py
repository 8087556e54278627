from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0019_leads_from_the_single_lead")]

    operations = [migrations.RemoveField(model_name="recommendation", name="lead")]
