from __future__ import annotations

import pytest

from zhifa.ledger.testing import purge_ledger


@pytest.fixture
def ledger_purge(transactional_db):
    """For transactional tests that write events: empty the append-only tables (behind the
    triggers' back) before the test database is flushed."""
    yield
    purge_ledger()
