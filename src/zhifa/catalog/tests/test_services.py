import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.catalog import services
from zhifa.catalog.models import EnforcementItemVersion, FlowDefinition, ItemKind, VersionStatus
from zhifa.catalog.tests.conftest import penalty_content
from zhifa.ledger.models import Event

pytestmark = pytest.mark.django_db


def test_new_item_is_a_draft_until_a_leader_approves(world, make_item):
    item = make_item(approve=False)
    version = item.versions.get()
    assert version.status == VersionStatus.DRAFT and item.current_version is None
    services.item_approve(acting_user=world.user("leader_a"), version=version)
    item.refresh_from_db()
    version.refresh_from_db()
    assert item.current_version == version
    assert version.status == VersionStatus.APPROVED
    assert version.approved_by == world.user("leader_a") and version.approved_at
    assert [(b.article.number, b.note) for b in version.basis.all()] == [("第十八条", "第一款")]


def test_approval_is_recorded_in_the_ledger(world, make_item):
    item = make_item()
    event = Event.objects.get(kind="catalog.item_approved")
    assert event.agency_id == world.agency_a.pk
    assert event.actor_id == world.user("leader_a").pk
    assert event.payload["code"] == item.code and event.payload["version"] == 1


def test_revision_keeps_the_approved_version_unchanged(world, library, make_item):
    """Cases keep the version they started under: revising never touches it (P4)."""
    item = make_item()
    first = item.current_version
    snapshot = (
        first.name,
        first.powers,
        first.discretion,
        list(first.basis.values_list("article", "note")),
    )
    revised = services.item_revise(
        acting_user=world.user("office_a"),
        item=item,
        content=penalty_content(
            world.agency_a,
            library,
            powers="修订后的权限",
            basis=[services.Basis(library["18"]), services.Basis(library["10"])],
        ),
        change_note="细化裁量基准",
    )
    assert revised.number == 2 and revised.status == VersionStatus.DRAFT
    item.refresh_from_db()
    assert item.current_version == first  # still the approved one until approval
    first.refresh_from_db()
    after = (
        first.name,
        first.powers,
        first.discretion,
        list(first.basis.values_list("article", "note")),
    )
    assert after == snapshot
    services.item_approve(acting_user=world.user("leader_a"), version=revised)
    item.refresh_from_db()
    assert item.current_version == revised
    assert list(item.versions.values_list("number", "status")) == [
        (2, VersionStatus.APPROVED),
        (1, VersionStatus.APPROVED),
    ]


def test_revising_again_before_approval_edits_the_same_draft(world, library, make_item):
    item = make_item()
    for note in ("第一次修改", "第二次修改"):
        services.item_revise(
            acting_user=world.user("office_a"),
            item=item,
            content=penalty_content(world.agency_a, library, name=note),
            change_note=note,
        )
    assert item.versions.count() == 2
    assert item.versions.get(number=2).name == "第二次修改"


def test_an_approved_version_cannot_be_edited_directly(make_item):
    version = make_item().current_version
    version.name = "偷偷修改"
    with pytest.raises(ValidationError, match="已批准的版本不能修改"):
        version.full_clean()


def test_revision_needs_a_change_note(world, library, make_item):
    item = make_item()
    with pytest.raises(ValidationError) as error:
        services.item_revise(
            acting_user=world.user("office_a"),
            item=item,
            content=penalty_content(world.agency_a, library),
            change_note=" ",
        )
    assert "变更说明" in error.value.message_dict["change_note"][0]


def test_drafter_cannot_approve_own_draft_and_approval_happens_once(world, make_item):
    from django.contrib.auth.models import Group

    office = world.user("office_a")
    office.groups.add(Group.objects.get(name="局领导"))
    item = make_item(approve=False)
    version = item.versions.get()
    with pytest.raises(ValidationError, match="起草人不能批准"):
        services.item_approve(acting_user=office, version=version)
    services.item_approve(acting_user=world.user("leader_a"), version=version)
    with pytest.raises(ValidationError, match="已经批准"):
        services.item_approve(acting_user=world.user("leader_a"), version=version)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"basis": []}, "basis", "至少选择一条法律依据"),
        ({"discretion": []}, "discretion", "至少填写一条裁量基准"),
        ({"flow": None}, "flow", "办理流程"),
        ({"area": None}, "area", "执法领域"),
        (
            {"discretion": [{"circumstance": "x", "fine_min": 500, "fine_max": 100}]},
            "discretion",
            "下限不能高于上限",
        ),
    ],
)
def test_content_errors_are_explained(world, library, changes, field, words):
    with pytest.raises(ValidationError) as error:
        services.item_create(
            acting_user=world.user("office_a"),
            code="CF-9",
            content=penalty_content(world.agency_a, library, **changes),
        )
    assert words in " ".join(error.value.message_dict[field])
    assert not EnforcementItemVersion.objects.exists()


def test_flow_must_match_the_kind(world, library):
    with pytest.raises(ValidationError) as error:
        services.item_create(
            acting_user=world.user("office_a"),
            code="XK-1",
            content=penalty_content(
                world.agency_a,
                library,
                kind=ItemKind.LICENCE,
                discretion=[],
                flow=FlowDefinition.objects.get(code="penalty.simple"),
            ),
        )
    assert "行政许可流程" in error.value.message_dict["flow"][0]


def test_unit_of_another_agency_is_refused(world, library):
    from zhifa.org.models import Unit

    foreign = Unit.objects.get(agency=world.agency_b, name="执法科")
    with pytest.raises(ValidationError) as error:
        services.item_create(
            acting_user=world.user("office_a"),
            code="CF-2",
            content=penalty_content(world.agency_a, library, unit=foreign),
        )
    assert "不属于本执法主体" in error.value.message_dict["unit"][0]


def test_duplicate_code_is_refused_per_agency(world, library, make_item):
    make_item("CF-1")
    with pytest.raises(ValidationError) as error:
        make_item("CF-1")
    assert "已被本机关" in error.value.message_dict["code"][0]
    # The same code in another agency is fine.
    services.item_create(
        acting_user=world.user("office_b"),
        code="CF-1",
        content=penalty_content(
            world.agency_b,
            library,
            unit=world.agency_b.units.get(name="执法科"),
        ),
    )


def test_roles_decide_who_drafts_and_who_approves(world, library, make_item):
    content = penalty_content(world.agency_a, library)
    for login in ("officer_a", "reviewer_a", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.item_create(acting_user=world.user(login), code="X", content=content)
    draft = make_item(approve=False).versions.get()
    for login in ("office_a", "officer_a"):
        with pytest.raises(PermissionDenied):
            services.item_approve(acting_user=world.user(login), version=draft)


def test_other_agency_cannot_revise_or_approve(world, library, make_item):
    item = make_item(approve=False)
    with pytest.raises(PermissionDenied):
        services.item_revise(
            acting_user=world.user("office_b"),
            item=item,
            content=penalty_content(world.agency_a, library),
            change_note="越权",
        )


def test_numbering_pattern_set_is_scoped_and_validated(world):
    pattern = services.numbering_pattern_set(
        acting_user=world.user("office_a"),
        kind="penalty_decision",
        pattern="甲发改罚〔{year}〕{seq}号",
    )
    assert pattern.agency == world.agency_a
    assert pattern.format(year=2026, seq=12) == "甲发改罚〔2026〕12号"
    with pytest.raises(ValidationError):
        services.numbering_pattern_set(
            acting_user=world.user("office_a"), kind="penalty_decision", pattern="甲发改罚{seq}号"
        )
    with pytest.raises(PermissionDenied):
        services.numbering_pattern_set(
            acting_user=world.user("officer_a"), kind="penalty_decision", pattern="{year}{seq}"
        )
