import pytest
from django.urls import reverse

from zhifa.catalog.models import EnforcementItem, NumberingPattern, VersionStatus

pytestmark = pytest.mark.django_db

ITEM_POST = {
    "code": "CF-101",
    "name": "对企业未依法办理核准手续开工建设的行政处罚",
    "kind": "penalty",
    "duties": "查处未依法办理核准手续开工建设的行为。",
    "powers": "责令停止建设，处项目总投资额1‰以上5‰以下的罚款。",
    "basis": "企业投资项目核准和备案管理条例 第十八条 第一款",
    "discretion": "主动停止建设 | 罚款 | 1‰ | 2‰ | 项目总投资额",
}


def _post_data(world, **changes):
    from zhifa.catalog.models import FlowDefinition
    from zhifa.org.models import EnforcementArea

    data = {
        **ITEM_POST,
        "unit": world.agency_a.units.get(name="执法科").pk,
        "area": EnforcementArea.objects.get(name="发展改革").pk,
        "flow": FlowDefinition.objects.get(code="penalty.ordinary").pk,
    }
    data.update(changes)
    return data


def test_anonymous_users_are_sent_to_login(client, world, make_item):
    item = make_item()
    for url in [
        reverse("catalog:law_list"),
        reverse("catalog:item_list"),
        reverse("catalog:item_create"),
        reverse("catalog:item_detail", args=[item.pk]),
        reverse("catalog:flow_list"),
        reverse("catalog:template_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_other_agency_items_are_404(world, login, make_item):
    item = make_item(approve=False)
    client = login(world.user("office_b"))
    for url in [
        reverse("catalog:item_detail", args=[item.pk]),
        reverse("catalog:item_revise", args=[item.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("catalog:item_approve", args=[item.pk, 1]))
    assert response.status_code in (403, 404)
    assert item.code not in client.get(reverse("catalog:item_list")).content.decode()


def test_leader_of_other_agency_gets_404_on_approve(world, login, make_item):
    from django.contrib.auth.models import Group

    item = make_item(approve=False)
    office_b = world.user("office_b")
    office_b.groups.add(Group.objects.get(name="局领导"))
    response = login(office_b).post(reverse("catalog:item_approve", args=[item.pk, 1]))
    assert response.status_code == 404
    assert item.versions.get().status == VersionStatus.DRAFT


def test_officer_reads_but_cannot_draft_or_approve(world, login, make_item):
    item = make_item(approve=False)
    client = login(world.user("officer_a"))
    assert client.get(reverse("catalog:item_detail", args=[item.pk])).status_code == 200
    assert client.get(reverse("catalog:item_create")).status_code == 403
    assert client.get(reverse("catalog:item_revise", args=[item.pk])).status_code == 403
    assert client.post(reverse("catalog:item_approve", args=[item.pk, 1])).status_code == 403
    assert client.post(reverse("catalog:numbering_set"), {}).status_code == 403


def test_supervisor_sees_every_agency_but_cannot_edit(world, login, make_item):
    item = make_item()
    client = login(world.user("supervisor"))
    assert item.code in client.get(reverse("catalog:item_list")).content.decode()
    assert client.get(reverse("catalog:item_detail", args=[item.pk])).status_code == 200
    assert client.get(reverse("catalog:item_create")).status_code == 403


def test_office_creates_and_leader_approves_through_pages(world, login, library):
    office = login(world.user("office_a"))
    response = office.post(reverse("catalog:item_create"), _post_data(world))
    item = EnforcementItem.objects.get(code="CF-101")
    assert response.status_code == 302 and response.url == reverse(
        "catalog:item_detail", args=[item.pk]
    )
    page = office.get(response.url).content.decode()
    assert "待批准" in page and "第十八条" in page and "1‰以上2‰以下" in page
    assert "批准第1版" not in page  # the office drafts, it does not approve
    leader = login(world.user("leader_a"))
    assert "批准第1版" in leader.get(response.url).content.decode()
    leader.post(reverse("catalog:item_approve", args=[item.pk, 1]))
    item.refresh_from_db()
    assert item.current_version.number == 1


def test_form_keeps_input_and_explains_errors(world, login, library):
    client = login(world.user("office_a"))
    response = client.post(
        reverse("catalog:item_create"),
        _post_data(
            world,
            basis="企业投资项目核准和备案管理条例 第九十九条\n不存在的法 第一条\n随便写写",
            discretion="情形 | 罚款 | 5万 | 1万",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "中没有第九十九条" in page
    assert "法律法规库中没有《不存在的法》" in page
    assert "看不出条号" in page
    assert "下限不能高于上限" in page
    assert "随便写写" in page and ITEM_POST["duties"] in page  # input kept
    assert not EnforcementItem.objects.exists()


def test_service_errors_appear_on_the_form(world, login, make_item):
    make_item("CF-101")
    client = login(world.user("office_a"))
    response = client.post(reverse("catalog:item_create"), _post_data(world))
    assert "已被本机关的其他事项使用" in response.content.decode()


def test_revision_page_shows_diff_after_approval(world, login, make_item):
    item = make_item()
    office = login(world.user("office_a"))
    url = reverse("catalog:item_revise", args=[item.pk])
    page = office.get(url).content.decode()
    assert "第十八条" in page and "项目总投资额" in page  # prefilled from the current version
    data = _post_data(world, powers="修订后的权限", change_note="法律修订")
    data.pop("code")
    assert office.post(url, data).status_code == 302
    login(world.user("leader_a")).post(reverse("catalog:item_approve", args=[item.pk, 2]))
    page = office.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    assert "与第1版相比的变化" in page and "<ins>修订后的权限</ins>" in page
    assert "已被后续版本取代" in page


def test_law_search_finds_articles(world, login, library):
    client = login(world.user("officer_a"))
    page = client.get(reverse("catalog:law_list"), {"q": "核准和备案 18"}).content.decode()
    assert "第十八条" in page and "第十条" not in page.split("法律法规库")[0]
    page = client.get(reverse("catalog:law_list"), {"q": "节能评估"}).content.decode()
    assert "第十五条" in page
    article = library["18"]
    assert client.get(reverse("catalog:article_detail", args=[article.pk])).status_code == 200
    assert client.get(reverse("catalog:law_detail", args=[article.law_id])).status_code == 200
    assert client.get(reverse("catalog:law_detail", args=[99999])).status_code == 404


def test_templates_page_and_numbering_form(world, login):
    client = login(world.user("office_a"))
    page = client.get(reverse("catalog:template_list")).content.decode()
    assert "行政处罚决定书" in page and "设置本机关的文书编号格式" in page
    response = client.post(
        reverse("catalog:numbering_set"),
        {"kind": "penalty_decision", "pattern": "甲发改罚〔2026〕号"},
    )
    assert (
        "{year}" in response.content.decode() and "甲发改罚〔2026〕号" in response.content.decode()
    )
    client.post(
        reverse("catalog:numbering_set"),
        {"kind": "penalty_decision", "pattern": "甲发改罚〔{year}〕{seq}号"},
    )
    assert (
        NumberingPattern.objects.get(agency=world.agency_a).pattern == "甲发改罚〔{year}〕{seq}号"
    )
    page = login(world.user("office_b")).get(reverse("catalog:template_list")).content.decode()
    assert "甲发改罚" not in page


def test_navigation_lists_the_catalogue(world, login):
    page = login(world.user("officer_a")).get(reverse("core:todo")).content.decode()
    for name in ("item_list", "flow_list", "law_list", "template_list"):
        assert reverse(f"catalog:{name}") in page


def test_item_list_query_count_does_not_grow(
    world, login, make_item, django_assert_max_num_queries
):
    for n in range(5):
        make_item(f"CF-{n}")
    client = login(world.user("supervisor"))
    with django_assert_max_num_queries(12):
        client.get(reverse("catalog:item_list"))
    with django_assert_max_num_queries(20):
        client.get(reverse("catalog:item_detail", args=[EnforcementItem.objects.first().pk]))
