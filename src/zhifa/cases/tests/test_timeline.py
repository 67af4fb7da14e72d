"""The case page's timeline marks each event proven under the latest signed checkpoint."""

from __future__ import annotations

from django.urls import reverse

from zhifa.cases.selectors import case_timeline
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.ledger.models import Event
from zhifa.ledger.services import checkpoint_sign
from zhifa.ledger.testing import tampering


def test_events_are_proven_only_once_a_checkpoint_covers_them(cw):
    case = walk_penalty(cw, "investigate")
    user = cw.user("officer_a")
    entries, _ = case_timeline(user=user, case=case)
    assert entries and not any(e.proven for e in entries)

    checkpoint_sign()
    entries, _ = case_timeline(user=user, case=case)
    assert all(e.proven for e in entries)


def test_an_altered_event_is_not_proven(cw):
    case = walk_penalty(cw, "investigate")
    checkpoint_sign()
    entries, _ = case_timeline(user=cw.user("officer_a"), case=case)
    victim = entries[0].seq
    with tampering() as connection, connection.cursor() as cursor:
        altered = bytes(Event.objects.get(seq=victim).canonical).replace(b"case", b"kase", 1)
        cursor.execute("UPDATE ledger_event SET canonical = %s WHERE seq = %s", [altered, victim])
    entries, _ = case_timeline(user=cw.user("officer_a"), case=case)
    assert [e.seq for e in entries if not e.proven] == [victim]


def test_case_page_shows_the_marks(cw, client):
    case = walk_penalty(cw, "investigate")
    checkpoint_sign()
    client.force_login(cw.user("officer_a"))
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "已核验" in page and "树大小" in page
