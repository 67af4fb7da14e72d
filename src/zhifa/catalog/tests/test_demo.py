import pytest
from django.core.management import call_command

from zhifa.catalog.models import Article, EnforcementItem, NumberingPattern, VersionStatus

pytestmark = pytest.mark.django_db


def _counts():
    return (
        EnforcementItem.objects.count(),
        Article.objects.count(),
        NumberingPattern.objects.count(),
        EnforcementItem.objects.filter(versions__status=VersionStatus.DRAFT).count(),
    )


def test_demo_loads_real_items_idempotently():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first
    items = {i.code: i for i in EnforcementItem.objects.select_related("current_version")}
    assert set(items) >= {"XK-001", "XK-002", "CF-001", "CF-002", "CF-003", "CF-004", "CF-005"}
    cf1 = items["CF-001"].current_version
    cited = [(b.article.law.title, b.article.number) for b in cf1.basis.all()]
    assert cited == [("企业投资项目核准和备案管理条例", "第十八条")]
    assert cf1.discretion[0]["permille_min"] == 1 and cf1.discretion[-1]["fine_max"] == 5_000_000
    assert items["CF-004"].current_version.number == 2  # a revision kept in history
    assert items["CF-005"].current_version is None  # a draft awaiting the leader
    patterns = set(NumberingPattern.objects.values_list("pattern", flat=True))
    assert {
        "宁发改罚〔{year}〕{seq}号",
        "宁发改许〔{year}〕{seq}号",
        "宁发改法审〔{year}〕{seq}号",
    } <= patterns
