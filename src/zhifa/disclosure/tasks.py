"""Periodic disclosure work (Huey): the draft sweep every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def disclosure_sweep() -> int:
    from zhifa.disclosure.services import disclosure_sync

    return disclosure_sync()
