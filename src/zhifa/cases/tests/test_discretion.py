"""The proposed fine checked against the item's 裁量基准 (118号): the chosen circumstance, its
range, departures with their reason; the case page and the legal reviewer's page show it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhifa.cases import selectors, services
from zhifa.cases.models import Case
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.ledger.models import Event
from zhifa.review.models import Review
from zhifa.review.tests.helpers import article, setup_reviewers

pytestmark = pytest.mark.django_db

BENCHMARK = [
    {
        "circumstance": "主动停止建设并及时补办手续",
        "penalty": "责令停止建设，罚款",
        "permille_min": 1,
        "permille_max": 2,
        "base": "项目总投资额",
        "fine_min": None,
        "fine_max": None,
    },
    {
        "circumstance": "直接负责的主管人员",
        "penalty": "罚款",
        "fine_min": 2_000_000,
        "fine_max": 5_000_000,
        "base": "",
        "permille_min": None,
        "permille_max": None,
    },
    {"circumstance": "能够改造的", "penalty": "责令限期改造", "base": ""},
]


@pytest.fixture
def benchmark(cw):
    """Agency A's penalty item publishes a 裁量基准 (per-mille, fixed and no-fine lines)."""
    cw.penalty.discretion = BENCHMARK
    cw.penalty.save()
    return cw


def at_report(cw) -> Case:
    return walk_penalty(cw, "report")


def propose(cw, case: Case, fine: int, **choice) -> Case:
    return services.case_propose_decision(
        acting_user=cw.user("officer_a"),
        case=case,
        penalty_types=["罚款"] if fine else ["警告"],
        fine_amount=fine,
        content="拟处罚",
        **choice,
    )


def proposals(case: Case) -> list[dict]:
    events = Event.objects.filter(kind="case.decision_proposed", subject=f"cases.case:{case.pk}")
    return [e.payload for e in events.order_by("seq")]


# --- the service -----------------------------------------------------------------------------


def test_fixed_range_within_is_recorded(benchmark):
    case = propose(benchmark, at_report(benchmark), 3_000_000, discretion_entry=2)
    case.refresh_from_db()
    choice = case.discretion_choice
    assert choice["index"] == 2 and choice["circumstance"] == "直接负责的主管人员"
    assert (choice["low"], choice["high"], choice["departure"]) == (2_000_000, 5_000_000, "")
    assert proposals(case)[-1]["discretion"] == choice
    view = selectors.discretion_view(case)
    assert view.within and view.range_text == "2万元–5万元" and view.fine_text == "3万元"


def test_outside_without_reason_refused_naming_the_range(benchmark):
    case = at_report(benchmark)
    with pytest.raises(ValidationError) as error:
        propose(benchmark, case, 6_000_000, discretion_entry=2, departure="从重")
    message = " ".join(error.value.message_dict["departure_reason"])
    assert "2万元–5万元" in message and "拟罚款6万元高于" in message and "理由" in message
    case.refresh_from_db()
    assert case.fine_amount == 0 and case.penalty_types == [] and case.discretion_choice == {}
    assert proposals(case) == []


def test_outside_with_reason_accepted_and_recorded(benchmark):
    reason = "当事人拒不配合调查，造成恶劣影响"
    case = propose(
        benchmark,
        at_report(benchmark),
        6_000_000,
        discretion_entry=2,
        departure="从重",
        departure_reason=f"  {reason} ",
    )
    case.refresh_from_db()
    assert case.fine_amount == 6_000_000
    assert case.discretion_choice["departure"] == "从重"
    assert case.discretion_choice["reason"] == reason
    assert proposals(case)[-1]["discretion"]["reason"] == reason
    view = selectors.discretion_view(case)
    assert not view.within and "超出裁量基准（从重处罚" in view.summary


@pytest.mark.parametrize(
    ("fine", "departure", "words"),
    [(6_000_000, "从轻", "应选择从重"), (1_000_000, "从重", "应选择从轻或减轻")],
)
def test_departure_must_point_the_right_way(benchmark, fine, departure, words):
    case = at_report(benchmark)
    with pytest.raises(ValidationError) as error:
        propose(
            benchmark,
            case,
            fine,
            discretion_entry=2,
            departure=departure,
            departure_reason="理由",
        )
    assert words in " ".join(error.value.message_dict["departure"])


def test_below_range_with_mitigation_accepted(benchmark):
    case = propose(
        benchmark,
        at_report(benchmark),
        1_000_000,
        discretion_entry=2,
        departure="减轻",
        departure_reason="当事人主动消除违法行为危害后果（处罚法第三十二条）",
    )
    assert case.discretion_choice["departure"] == "减轻"


def test_within_range_drops_a_needless_departure(benchmark):
    case = propose(
        benchmark,
        at_report(benchmark),
        2_500_000,
        discretion_entry=2,
        departure="从轻",
        departure_reason="不需要",
    )
    assert case.discretion_choice["departure"] == "" and case.discretion_choice["reason"] == ""


def test_item_with_benchmark_needs_a_circumstance(benchmark):
    case = at_report(benchmark)
    with pytest.raises(ValidationError) as error:
        propose(benchmark, case, 3_000_000)
    assert "请选择本案适用的违法情形" in " ".join(error.value.message_dict["discretion_entry"])
    with pytest.raises(ValidationError, match="没有第4种情形"):
        propose(benchmark, case, 3_000_000, discretion_entry=4)


def test_item_without_benchmark_is_unaffected(cw):
    assert cw.penalty.discretion == []
    case = propose(cw, at_report(cw), 99_000_000)
    case.refresh_from_db()
    assert case.fine_amount == 99_000_000 and case.discretion_choice == {}
    assert proposals(case)[-1]["discretion"] == {}
    assert selectors.discretion_view(case) is None


def test_permille_with_base(benchmark):
    case = at_report(benchmark)
    base = 50_000_000_00  # 项目总投资额 5000万元: 1‰–2‰ is 5万元–10万元
    with pytest.raises(ValidationError) as error:
        propose(benchmark, case, 8_000_000, discretion_entry=1)
    assert "请填写项目总投资额" in " ".join(error.value.message_dict["discretion_base"])
    with pytest.raises(ValidationError) as error:
        propose(benchmark, case, 12_000_000, discretion_entry=1, discretion_base=base)
    assert "5万元–10万元" in " ".join(error.value.message_dict["departure_reason"])
    case = propose(benchmark, case, 8_000_000, discretion_entry=1, discretion_base=base)
    choice = case.discretion_choice
    assert (choice["base"], choice["base_label"]) == (base, "项目总投资额")
    assert (choice["low"], choice["high"]) == (5_000_000, 10_000_000)
    view = selectors.discretion_view(case)
    assert view.within and view.base_text == "项目总投资额5000万元"


def test_no_fine_circumstance(benchmark):
    case = propose(benchmark, at_report(benchmark), 0, discretion_entry=3)
    view = selectors.discretion_view(case)
    assert view.within and view.range_text == "不处罚款" and view.fine_text == "不罚款"
    with pytest.raises(ValidationError, match="不处罚款"):
        propose(benchmark, case, 1_000_000, discretion_entry=3)


def test_base_of_a_fixed_circumstance_is_not_kept(benchmark):
    case = propose(
        benchmark, at_report(benchmark), 3_000_000, discretion_entry=2, discretion_base=123
    )
    assert case.discretion_choice["base"] is None


# --- the pages -------------------------------------------------------------------------------


def test_form_lists_the_circumstances(benchmark, client):
    case = at_report(benchmark)
    client.force_login(benchmark.user("officer_a"))
    html = client.get(reverse("cases:case_propose", args=[case.pk])).content.decode()
    assert "适用的裁量基准情形" in html and "计罚基数（元）：项目总投资额" in html
    assert "2. 直接负责的主管人员（处2万元以上5万元以下的罚款）" in html


def test_form_without_benchmark_has_no_choice(cw, client):
    case = at_report(cw)
    client.force_login(cw.user("officer_a"))
    html = client.get(reverse("cases:case_propose", args=[case.pk])).content.decode()
    assert "适用的裁量基准情形" not in html


def test_out_of_range_form_keeps_input_and_shows_the_error(benchmark, client):
    case = at_report(benchmark)
    client.force_login(benchmark.user("officer_a"))
    url = reverse("cases:case_propose", args=[case.pk])
    data = {
        "penalty_types": ["罚款"],
        "discretion_entry": "1",
        "discretion_base": "50000000",
        "fine": "120000",
        "content": "罚款人民币壹拾贰万元整",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "拟罚款12万元高于所选情形" in html and "5万元–10万元" in html
    assert 'value="120000"' in html and 'value="50000000"' in html
    assert "罚款人民币壹拾贰万元整" in html
    assert '<option value="1" selected>' in html
    case.refresh_from_db()
    assert case.fine_amount == 0
    response = client.post(url, {**data, "departure": "从重", "departure_reason": "拒不停止建设"})
    assert response.status_code == 302
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "罚款幅度：<strong>5万元–10万元</strong>" in html and "项目总投资额5000万元" in html
    assert "超出裁量基准" in html and "拒不停止建设" in html


def test_missing_choice_is_a_form_error(benchmark, client):
    case = at_report(benchmark)
    client.force_login(benchmark.user("officer_a"))
    url = reverse("cases:case_propose", args=[case.pk])
    response = client.post(url, {"penalty_types": ["罚款"], "fine": "30000"})
    assert response.status_code == 200
    assert "请选择本案适用的裁量基准情形" in response.content.decode()


def test_case_page_shows_within(benchmark, client):
    case = propose(benchmark, at_report(benchmark), 3_000_000, discretion_entry=2)
    client.force_login(benchmark.user("officer_a"))
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "情形2：直接负责的主管人员" in html and "<strong>2万元–5万元</strong>" in html
    assert "在裁量基准范围内" in html and "超出裁量基准" not in html


def test_reviewer_sees_the_check(benchmark, client):
    setup_reviewers(benchmark)
    case = propose(
        benchmark,
        at_report(benchmark),
        6_000_000,
        discretion_entry=2,
        departure="从重",
        departure_reason="拒不改正",
        major_public_interest=True,
    )
    case = services.case_advance(
        acting_user=benchmark.user("officer_a"), case=case, to_step="legal_review"
    )
    from zhifa.review import services as review_services

    review = review_services.review_submit(
        acting_user=benchmark.user("officer_a"), case=case, proposal="罚款6万元", report="报告"
    )
    review_services.review_assign(
        acting_user=benchmark.user("reviewer_a"),
        review=review,
        reviewer=benchmark.staff("reviewer_a"),
        re_reviewer=benchmark.staff("reviewer2_a"),
    )
    article()
    client.force_login(benchmark.user("reviewer_a"))
    html = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "<strong>2万元–5万元</strong>" in html and "超出裁量基准" in html
    assert "拒不改正" in html
    form = client.get(reverse("review:findings", args=[review.pk])).content.decode()
    assert "系统核对：情形2“直接负责的主管人员”，幅度2万元–5万元，拟罚款6万元" in form
    assert Review.objects.filter(case=case).exists()
