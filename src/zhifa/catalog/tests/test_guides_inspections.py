"""服务指南 (P7) as part of an item version, and the 随机抽查事项清单 (P5): services, staff pages
and their scoping."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.catalog import guide, services
from zhifa.catalog.models import FlowDefinition, ItemKind, RandomInspectionItem
from zhifa.catalog.services import Basis, InspectionContent
from zhifa.catalog.tests.conftest import penalty_content
from zhifa.ledger.models import Event

pytestmark = pytest.mark.django_db

GUIDE = {
    "guide_accepting_body": "甲县发展改革局审批服务科",
    "guide_approving_body": "甲县发展改革局",
    "guide_conditions": "符合产业政策。",
    "guide_materials": "项目申请书",
    "guide_remedy": "六十日内申请行政复议，或者六个月内提起行政诉讼。",
    "guide_office_hours": "工作日 8:30—17:30",
    "guide_office_address": "甲县政务服务中心二楼",
    "guide_office_phone": "0319-5861234",
}


def licence_content(world, library, **changes):
    values = dict(
        name="企业投资项目核准",
        kind=ItemKind.LICENCE,
        discretion=[],
        area=None,
        flow=FlowDefinition.objects.get(code="licence"),
        basis=[Basis(library["10"])],
        guide=GUIDE,
    )
    values.update(changes)
    return penalty_content(world.agency_a, library, **values)


def test_guide_is_approved_with_the_version_and_derives_the_rest(world, library):
    item = services.item_create(
        acting_user=world.user("office_a"), code="XK-001", content=licence_content(world, library)
    )
    version = item.versions.get()
    services.item_approve(acting_user=world.user("leader_a"), version=version)
    version.refresh_from_db()
    assert version.guide_office_phone == "0319-5861234"
    rows = {row.label: row.value for row in guide.rows(version)}
    assert list(rows) == [
        "事项名称",
        "依据",
        "受理机构",
        "审批机构",
        "许可条件",
        "优惠政策",
        "申请材料",
        "办理流程",
        "办理时限",
        "监督方式",
        "责任追究",
        "救济渠道",
        "办公时间",
        "办公地址",
        "办公电话",
    ]
    assert rows["事项名称"] == "企业投资项目核准"
    assert rows["依据"] == "《企业投资项目核准和备案管理条例》第十条"
    assert "受理 → 审查" in rows["办理流程"] and "不予受理" not in rows["办理流程"]
    assert "自受理起20个工作日" in rows["办理时限"]  # the licence flow's 决定 clock
    assert rows["优惠政策"] == "—"
    event = Event.objects.get(kind="catalog.item_approved")
    assert event.payload["guide"]["guide_accepting_body"] == "甲县发展改革局审批服务科"


def test_a_started_guide_must_be_complete(world, library):
    partial = {"guide_accepting_body": "审批服务科"}
    with pytest.raises(ValidationError) as error:
        services.item_create(
            acting_user=world.user("office_a"),
            code="XK-001",
            content=licence_content(world, library, guide=partial),
        )
    messages = error.value.message_dict
    assert "服务指南请填写申请材料。" in messages["guide_materials"]
    assert "guide_office_phone" in messages


def test_a_guide_publishes_no_mobile_phone(world, library):
    with pytest.raises(ValidationError) as error:
        services.item_create(
            acting_user=world.user("office_a"),
            code="XK-001",
            content=licence_content(
                world, library, guide={**GUIDE, "guide_office_phone": "13912345678"}
            ),
        )
    assert "办公座机" in error.value.message_dict["guide_office_phone"][0]


def test_an_item_without_guide_is_still_valid(world, library):
    item = services.item_create(
        acting_user=world.user("office_a"),
        code="XK-002",
        content=licence_content(world, library, guide={}),
    )
    assert not guide.has_guide(vars(item.versions.get()))


def test_revising_the_guide_keeps_the_approved_one(world, library):
    item = services.item_create(
        acting_user=world.user("office_a"), code="XK-001", content=licence_content(world, library)
    )
    services.item_approve(acting_user=world.user("leader_a"), version=item.versions.get())
    draft = services.item_revise(
        acting_user=world.user("office_a"),
        item=item,
        content=licence_content(
            world, library, guide={**GUIDE, "guide_office_address": "甲县政务服务中心三楼"}
        ),
        change_note="窗口搬迁",
    )
    item.refresh_from_db()
    assert item.current_version.guide_office_address == "甲县政务服务中心二楼"
    assert draft.guide_office_address == "甲县政务服务中心三楼"


def inspection(library, **changes) -> InspectionContent:
    values = dict(
        name="企业投资项目事中事后监管抽查",
        basis=[Basis(library["10"], "第一款")],
        target="在建企业投资项目",
        content="是否按核准内容建设",
        ratio="不低于5%",
        method="双随机抽查",
        frequency="每年1次",
    )
    values.update(changes)
    return InspectionContent(**values)


def test_inspection_crud_is_recorded_and_scoped(world, library, make_item):
    office = world.user("office_a")
    item = make_item("JC-001", kind=ItemKind.INSPECTION, discretion=[], flow=None)
    entry = services.inspection_create(
        acting_user=office, code="CC-001", content=inspection(library, item=item)
    )
    assert entry.agency == world.agency_a and entry.item == item
    assert [(b.article.number, b.note) for b in entry.basis.all()] == [("第十条", "第一款")]
    with pytest.raises(ValidationError):
        services.inspection_create(acting_user=office, code="CC-001", content=inspection(library))
    with pytest.raises(PermissionDenied):
        services.inspection_update(
            acting_user=world.user("office_b"), entry=entry, content=inspection(library)
        )
    with pytest.raises(PermissionDenied):  # officers read the list, only the office keeps it
        services.inspection_create(
            acting_user=world.user("officer_a"), code="CC-002", content=inspection(library)
        )
    services.inspection_update(
        acting_user=office, entry=entry, content=inspection(library, ratio="不低于10%")
    )
    entry.refresh_from_db()
    assert entry.ratio == "不低于10%"
    with pytest.raises(ValidationError):
        services.inspection_delete(acting_user=office, entry=entry, reason=" ")
    services.inspection_delete(acting_user=office, entry=entry, reason="并入其他抽查事项")
    assert not RandomInspectionItem.objects.exists()
    kinds = list(
        Event.objects.filter(kind__startswith="catalog.inspection").values_list("kind", flat=True)
    )
    assert kinds == [
        "catalog.inspection_created",
        "catalog.inspection_updated",
        "catalog.inspection_deleted",
    ]
    deleted = Event.objects.get(kind="catalog.inspection_deleted")
    assert (
        deleted.payload["reason"] == "并入其他抽查事项" and deleted.payload["ratio"] == "不低于10%"
    )


def test_inspection_needs_a_basis_and_an_own_item(world, library, make_item):
    with pytest.raises(ValidationError) as error:
        services.inspection_create(
            acting_user=world.user("office_a"), code="CC-001", content=inspection(library, basis=[])
        )
    assert "basis" in error.value.message_dict
    item = make_item("JC-001", kind=ItemKind.INSPECTION, discretion=[], flow=None)
    with pytest.raises(ValidationError) as error:
        services.inspection_create(
            acting_user=world.user("office_b"),
            code="CC-001",
            content=inspection(library, item=item),
        )
    assert "item" in error.value.message_dict


def test_inspection_pages(world, library, client, login):
    login(world.user("office_a"))
    response = client.post(
        "/catalog/inspections/new/",
        {
            "code": "CC-001",
            "name": "节能审查意见落实情况抽查",
            "basis": "节约能源法 第15条",
            "target": "已取得节能审查意见的项目",
            "content": "节能审查意见落实情况",
            "ratio": "不低于10%",
            "method": "双随机抽查",
            "frequency": "每年1次",
        },
    )
    assert response.status_code == 302
    entry = RandomInspectionItem.objects.get()
    assert entry.basis.get().article.number == "第十五条"
    page = client.get("/catalog/inspections/").content.decode()
    assert "节能审查意见落实情况抽查" in page and "不低于10%" in page
    bad = client.post(
        "/catalog/inspections/new/", {"code": "CC-002", "name": "x", "basis": "不存在的法 第1条"}
    )
    assert bad.status_code == 200 and "法律法规库中没有《不存在的法》" in bad.content.decode()
    login(world.user("office_b"))
    assert client.get(f"/catalog/inspections/{entry.pk}/edit/").status_code == 404
    assert "节能审查意见落实情况抽查" not in client.get("/catalog/inspections/").content.decode()
    login(world.user("officer_a"))
    assert client.get("/catalog/inspections/").status_code == 200
    assert client.get("/catalog/inspections/new/").status_code == 403
    login(world.user("office_a"))
    client.post(f"/catalog/inspections/{entry.pk}/delete/", {"reason": "重复"})
    assert not RandomInspectionItem.objects.exists()


def test_item_form_saves_the_guide(world, library, client, login):
    login(world.user("office_a"))
    from zhifa.org.models import Unit

    unit = Unit.objects.get(agency=world.agency_a, name="执法科")
    data = {
        "code": "XK-001",
        "name": "企业投资项目核准",
        "kind": "licence",
        "unit": unit.pk,
        "duties": "核准",
        "powers": "核准",
        "basis": "企业投资项目核准和备案管理条例 第10条",
        "flow": FlowDefinition.objects.get(code="licence").pk,
        **GUIDE,
    }
    response = client.post("/catalog/items/new/", {**data, "guide_office_phone": ""})
    assert response.status_code == 200 and "服务指南请填写办公电话。" in response.content.decode()
    response = client.post("/catalog/items/new/", data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "查看服务指南" in page and "甲县政务服务中心二楼" in page
