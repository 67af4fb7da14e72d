"""Disclosure: indexes for the portal at a million decisions (bench/portal.py,
docs/benchmarks.md): the decision list's order (newest decision first), for all agencies and
per agency, so a page is read from the index; and the public filter with the agency, so the
counts per agency on the portal home are read from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_push")]

    operations = [
        # (status, expires_on) → (status, expires_on, agency): the public count per agency
        # (portal home) reads the index alone instead of every row.
        migrations.RemoveIndex(model_name="disclosure", name="disclosure_public"),
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(fields=["status", "expires_on", "agency"], name="disclosure_public"),
        ),
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(fields=["-decided_on", "-id"], name="disclosure_portal_order"),
        ),
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(
                fields=["agency", "-decided_on", "-id"], name="disclosure_portal_agency"
            ),
        ),
    ]
