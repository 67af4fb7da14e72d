"""Disclosure: open-data push: subscribers, outbox, delivery log."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_search")]

    operations = []
