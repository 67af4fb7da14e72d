"""Periodic ledger work (Huey): sign a checkpoint each minute the log grew; nightly fixity;
hourly expiry of abandoned resumable uploads."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def ledger_checkpoint() -> int | None:
    from zhifa.ledger.services import checkpoint_sign

    checkpoint = checkpoint_sign()
    return None if checkpoint is None else checkpoint.tree_size


@db_periodic_task(crontab(hour="2", minute="30"))
def ledger_fixity() -> int:
    from zhifa.ledger.fixity import fixity_check

    return len(fixity_check().problems)


@db_periodic_task(crontab(minute="17"))
def ledger_expire_uploads() -> int:
    from zhifa.ledger.uploads import expire_uploads

    return expire_uploads()
