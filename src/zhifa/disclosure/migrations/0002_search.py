"""Disclosure: search index (filled by the search work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = []
