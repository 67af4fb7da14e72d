"""Portal pages for the catalogue (服务指南 P7, 随机抽查事项清单 P5, county-wide lists P15) and the
supervisor's cross-agency list of disclosure drafts due soon or overdue."""

import datetime as dt

import pytest
from django.utils import timezone

from zhifa.cases.tests.conftest import walk_penalty
from zhifa.catalog import services as catalog_services
from zhifa.catalog.models import Article, FlowDefinition, ItemKind, Law, LawLevel
from zhifa.catalog.services import Basis, InspectionContent, ItemContent
from zhifa.core.calendar import working_deadline
from zhifa.disclosure import services, todos
from zhifa.disclosure.models import Disclosure
from zhifa.org.models import Unit

pytestmark = pytest.mark.django_db

GUIDE = {
    "guide_accepting_body": "甲县发展改革局审批服务科",
    "guide_conditions": "符合产业政策。",
    "guide_materials": "项目申请书",
    "guide_remedy": "六十日内申请行政复议。",
    "guide_office_hours": "工作日 8:30—17:30",
    "guide_office_address": "甲县政务服务中心二楼",
    "guide_office_phone": "0319-5861234",
}


@pytest.fixture
def article(db):
    law = Law.objects.create(
        title="企业投资项目核准和备案管理条例", level=LawLevel.ADMIN_REGULATION
    )
    return Article.objects.create(law=law, number="第十条", index=10, text="……")


def _licence(world, article, code, guide, approve=True):
    item = catalog_services.item_create(
        acting_user=world.user("office_a"),
        code=code,
        content=ItemContent(
            name=f"企业投资项目核准{code}",
            kind=ItemKind.LICENCE,
            unit=Unit.objects.get(agency=world.agency_a, name="执法科"),
            duties="核准",
            powers="核准",
            basis=[Basis(article)],
            discretion=[],
            flow=FlowDefinition.objects.get(code="licence"),
            guide=guide,
        ),
    )
    if approve:
        catalog_services.item_approve(
            acting_user=world.user("leader_a"), version=item.versions.get()
        )
    return item


def _inspection(world, office, article, code, name):
    return catalog_services.inspection_create(
        acting_user=world.user(office),
        code=code,
        content=InspectionContent(
            name=name,
            basis=[Basis(article)],
            target="在建项目",
            content="是否按核准内容建设",
            ratio="不低于5%",
            method="双随机抽查",
            frequency="每年1次",
        ),
    )


def test_guides_inspections_and_county_lists(world, article, client):
    a, b = world.agency_a, world.agency_b
    guided = _licence(world, article, "XK-001", GUIDE)
    plain = _licence(world, article, "XK-002", {})
    _licence(world, article, "XK-003", GUIDE, approve=False)  # a draft is not published
    _inspection(world, "office_a", article, "CC-001", "甲局项目抽查")
    _inspection(world, "office_b", article, "CC-001", "乙局经营者抽查")

    item_page = client.get(f"/portal/agencies/{a.pk}/items/{guided.pk}/").content.decode()
    assert "服务指南" in item_page and "甲县政务服务中心二楼" in item_page
    assert "自受理起20个工作日" in item_page and "data-print" in item_page
    assert "/catalog/flows/licence.svg" in item_page
    plain_page = client.get(f"/portal/agencies/{a.pk}/items/{plain.pk}/").content.decode()
    assert 'id="guide"' not in plain_page

    guides = client.get(f"/portal/agencies/{a.pk}/guides/").content.decode()
    assert "企业投资项目核准XK-001" in guides
    assert "企业投资项目核准XK-002" not in guides and "XK-003" not in guides

    own = client.get(f"/portal/agencies/{a.pk}/inspections/").content.decode()
    assert "甲局项目抽查" in own and "乙局经营者抽查" not in own and "不低于5%" in own
    county = client.get("/portal/inspections/").content.decode()
    assert county.index(a.name) < county.index("甲局项目抽查") < county.index(b.name)
    assert "乙局经营者抽查" in county
    items = client.get("/portal/items/").content.decode()
    assert "企业投资项目核准XK-001" in items and "XK-003" not in items
    assert f"/portal/agencies/{a.pk}/items/{guided.pk}/#guide" in items
    agency_page = client.get(f"/portal/agencies/{a.pk}/").content.decode()
    assert f"/portal/agencies/{a.pk}/guides/" in agency_page
    assert f"/portal/agencies/{a.pk}/inspections/" in agency_page


def test_supervisor_sees_every_agencys_due_drafts(cw, client, login):
    walk_penalty(cw, "served")  # decided weeks ago: overdue
    services.disclosure_sync()
    d = Disclosure.objects.get()
    today = timezone.localdate()
    assert todos.due_drafts(today=today) == [(d, todos.due_drafts(today=today)[0][1])]
    assert todos.due_drafts(today=today)[0][1] < 0
    # Not yet due: a draft due in 7 working days is not listed.
    soon = today + dt.timedelta(days=1)
    Disclosure.objects.filter(pk=d.pk).update(due_on=working_deadline(soon, 7).due)
    assert todos.due_drafts(today=today) == []
    Disclosure.objects.filter(pk=d.pk).update(due_on=working_deadline(today, 1).due)
    assert [left for _, left in todos.due_drafts(today=today)] == [1]
    Disclosure.objects.filter(pk=d.pk).update(due_on=today - dt.timedelta(days=10))

    number = d.fields["document_number"]
    login(cw.user("supervisor"))  # of agency B: sees agency A's draft, read only
    todo = client.get("/todo/").content.decode()
    assert f"公示已超期：{cw.world.agency_a.name} {number}" in todo
    page = client.get("/portal/manage/").content.decode()
    assert "全县即将到期和已超期的公示草稿" in page and number in page and "已超期" in page
    assert client.get(f"/portal/manage/{d.pk}/").status_code == 200
    assert client.post(f"/portal/manage/{d.pk}/review/", {"decision": "approve"}).status_code == 403

    login(cw.user("office_b"))  # another agency's office: not its draft
    assert number not in client.get("/todo/").content.decode()
    assert "即将到期和已超期" not in client.get("/portal/manage/").content.decode()
    login(cw.user("office_a"))
    page = client.get("/portal/manage/").content.decode()
    assert "即将到期和已超期的公示草稿" in page and "全县" not in page and number in page
