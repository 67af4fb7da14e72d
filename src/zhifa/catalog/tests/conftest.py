"""Catalogue fixtures on top of the root `world`: a tiny law library and an item factory."""

from __future__ import annotations

import datetime as dt

import pytest

from zhifa.catalog import services
from zhifa.catalog.models import Article, FlowDefinition, ItemKind, Law, LawLevel
from zhifa.catalog.services import Basis, ItemContent
from zhifa.org.models import EnforcementArea, Unit

PERMIT_RULES = "企业投资项目核准和备案管理条例"


@pytest.fixture
def library(db) -> dict[str, Article]:
    """Three articles of two laws, enough to cite."""
    rules = Law.objects.create(
        title=PERMIT_RULES, level=LawLevel.ADMIN_REGULATION, version_date=dt.date(2016, 11, 30)
    )
    energy = Law.objects.create(
        title="中华人民共和国节约能源法", level=LawLevel.LAW, version_date=dt.date(2018, 10, 26)
    )
    return {
        "18": Article.objects.create(
            law=rules, number="第十八条", index=18, text="……处项目总投资额1‰以上5‰以下的罚款……"
        ),
        "10": Article.objects.create(
            law=rules, number="第十条", index=10, text="核准机关应当自受理申请之日起20个工作日内……"
        ),
        "15": Article.objects.create(
            law=energy,
            number="第十五条",
            index=15,
            text="国家实行固定资产投资项目节能评估和审查制度。",
        ),
    }


def penalty_content(agency, library, **changes) -> ItemContent:
    values = dict(
        name="对企业未依法办理核准手续开工建设的行政处罚",
        kind=ItemKind.PENALTY,
        unit=Unit.objects.get(agency=agency, name="执法科"),
        duties="查处未依法办理核准手续开工建设的行为。",
        powers="责令停止建设，处项目总投资额1‰以上5‰以下的罚款。",
        basis=[Basis(library["18"], "第一款")],
        discretion=[
            {
                "circumstance": "主动停止建设",
                "penalty": "罚款",
                "permille_min": 1,
                "permille_max": 2,
                "base": "项目总投资额",
            }
        ],
        area=EnforcementArea.objects.get(name="发展改革"),
        flow=FlowDefinition.objects.get(code="penalty.ordinary"),
    )
    values.update(changes)
    return ItemContent(**values)


@pytest.fixture
def make_item(world, library):
    """Create (and by default approve) a penalty item of agency A."""

    def make(code: str = "CF-001", *, approve: bool = True, **changes):
        item = services.item_create(
            acting_user=world.user("office_a"),
            code=code,
            content=penalty_content(world.agency_a, library, **changes),
        )
        if approve:
            services.item_approve(acting_user=world.user("leader_a"), version=item.versions.get())
            item.refresh_from_db()
        return item

    return make
