import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from zhifa.catalog import selectors, standard
from zhifa.catalog.flowchart import render_flow_svg, wrap
from zhifa.catalog.models import FlowDefinition, FlowStep, FlowTransition

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"

# C4: the audio-visual recording list (音像记录事项清单).
AV_STEPS = {
    "penalty.ordinary": {"investigate", "hearing", "serve"},
    "penalty.simple": {"onspot_check"},
    "licence": {"site_check", "serve"},
}


def test_standard_flows_are_loaded_after_migrate():
    assert set(FlowDefinition.objects.values_list("code", flat=True)) >= set(AV_STEPS)


def test_ordinary_penalty_steps_follow_the_law():
    flow = selectors.flow_get(code="penalty.ordinary")
    main = [s.name for s in flow.steps.all() if not s.is_branch]
    assert main == [
        "线索登记",
        "立案审批",
        "调查取证",
        "调查终结、案件审查",
        "法制审核",
        "事先告知",
        "听证",
        "集体讨论",
        "决定",
        "送达",
        "执行",
        "结案",
        "归档",
    ]
    branches = {s.name for s in flow.steps.all() if s.is_branch}
    assert branches == {"不予立案", "撤案", "不予处罚", "移送"}
    steps = {s.code: s for s in flow.steps.all()}
    # 处罚法 arts. 42, 55: investigation by at least two certified officers.
    assert steps["investigate"].min_certified_officers == 2
    # 处罚法 art. 60: decide within 90 calendar days of filing.
    decide = steps["decide"]
    assert (decide.clock_days, decide.clock_unit, decide.clock_from) == (90, "calendar", "filing")
    assert "第六十条" in decide.clock_basis
    assert {s.code for s in steps.values() if s.optional} == {
        "legal_review",
        "hearing",
        "collective",
    }
    targets = {t.target.code for t in decide.outgoing.all()}
    assert targets == {"serve", "no_penalty", "transfer"}
    assert steps["archive"].is_final


@pytest.mark.parametrize("code", sorted(AV_STEPS))
def test_av_requirements_match_the_recording_list(code):
    flow = FlowDefinition.objects.get(code=code)
    av = set(flow.steps.filter(requires_av=True).values_list("code", flat=True))
    assert av == AV_STEPS[code]
    for step in flow.steps.all():
        step.full_clean()  # roles, carriers, clocks are consistent


def test_licence_decision_clock_is_20_working_days_from_acceptance():
    decide = FlowStep.objects.get(flow__code="licence", code="decide")
    assert (decide.clock_days, decide.clock_unit, decide.clock_from) == (20, "working", "accept")
    assert FlowStep.objects.get(flow__code="licence", code="site_check").min_certified_officers == 2


def test_loader_is_idempotent_and_repairs_edits():
    counts = (FlowStep.objects.count(), FlowTransition.objects.count())
    step = FlowStep.objects.get(flow__code="licence", code="decide")
    step.clock_days = 99
    step.save()
    standard.load()
    standard.load()
    assert (FlowStep.objects.count(), FlowTransition.objects.count()) == counts
    step.refresh_from_db()
    assert step.clock_days == 20


@pytest.mark.parametrize("code", sorted(AV_STEPS))
def test_svg_is_valid_xml_with_every_step(code):
    flow = selectors.flow_get(code=code)
    svg = render_flow_svg(flow)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    text = "".join(root.itertext())
    for step in flow.steps.all():
        assert step.name in text, step.name
    assert "必须音像记录" in text
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")  # no external assets
    assert "<script" not in svg


def test_svg_escapes_text():
    flow = FlowDefinition.objects.create(code="t", name="A&B <流程>", kind="other")
    FlowStep.objects.create(flow=flow, order=1, code="s", name="环节<1>&", record_content='"引号"')
    ET.fromstring(render_flow_svg(selectors.flow_get(code="t")))


def test_wrap_breaks_long_chinese_text():
    lines = wrap("一" * 100, 12.6 * 30 + 1)
    assert [len(x) for x in lines] == [30, 30, 30, 10]


def test_svg_is_public(client):
    response = client.get(reverse("catalog:flow_svg", args=["penalty.ordinary"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    ET.fromstring(response.content)
    assert client.get(reverse("catalog:flow_svg", args=["nope"])).status_code == 404


def test_flow_page_needs_login_and_shows_steps(client, world, login):
    url = reverse("catalog:flow_detail", args=["licence"])
    assert client.get(url).status_code == 302
    page = login(world.user("officer_a")).get(url).content.decode()
    assert "一次性告知补正" in page and reverse("catalog:flow_svg", args=["licence"]) in page
