import datetime as dt

from django.db import transaction

from zhifa.catalog.models import DocumentKind, NumberingPattern


def test_kinds_sharing_a_pattern_share_one_series(world):
    patterns = [
        NumberingPattern.objects.create(
            agency=world.agency_a, kind=kind, pattern="甲罚〔{year}〕{seq}号"
        )
        for kind in DocumentKind.values[:2]
    ]
    on = dt.date(2026, 5, 1)
    with transaction.atomic():
        numbers = [patterns[0].issue(on=on), patterns[1].issue(on=on), patterns[0].issue(on=on)]
    assert numbers == ["甲罚〔2026〕1号", "甲罚〔2026〕2号", "甲罚〔2026〕3号"]
