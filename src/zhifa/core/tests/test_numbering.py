import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from zhifa.core import numbering
from zhifa.core.models import DocumentCounter


@pytest.mark.django_db
def test_numbers_run_per_agency_kind_and_year():
    with transaction.atomic():
        assert [numbering.allocate(agency_id=1, kind="罚", year=2026) for _ in range(3)] == [
            1,
            2,
            3,
        ]
        assert numbering.allocate(agency_id=2, kind="罚", year=2026) == 1
        assert numbering.allocate(agency_id=1, kind="许", year=2026) == 1
        assert numbering.allocate(agency_id=1, kind="罚", year=2027) == 1


@pytest.mark.django_db
def test_rolled_back_issue_leaves_no_gap():
    with transaction.atomic():
        numbering.allocate(agency_id=1, kind="罚", year=2026)
    try:
        with transaction.atomic():
            numbering.allocate(agency_id=1, kind="罚", year=2026)
            raise RuntimeError("rendering failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert numbering.allocate(agency_id=1, kind="罚", year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_allocate_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        numbering.allocate(agency_id=1, kind="罚", year=2026)


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("宁发改罚〔{year}〕{seq}号", True),
        ("宁发改罚〔{year}〕号", False),
        ("{seq}", False),
        ("{year}{seq}{agency}", False),
    ],
)
def test_pattern_validation(pattern, ok):
    if ok:
        numbering.validate_pattern(pattern)
        assert numbering.format_number(pattern, year=2026, seq=12) == "宁发改罚〔2026〕12号"
    else:
        with pytest.raises(ValidationError, match="占位符"):
            numbering.validate_pattern(pattern)


@pytest.mark.django_db(transaction=True)
def test_parallel_issuers_get_distinct_gap_free_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database cannot be shared by writer threads")
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    n = numbering.allocate(agency_id=9, kind="罚", year=2026)
                with lock:
                    results.append(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 81))
    assert DocumentCounter.objects.get(agency_id=9, kind="罚", year=2026).last == 80
