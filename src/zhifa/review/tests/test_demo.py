from django.contrib.auth import get_user_model
from django.urls import reverse

from zhifa.review.models import Discussion, Review, ReviewRule, ReviewStatus


def test_demo_reviews_load_twice(db, settings, tmp_path, client):
    from zhifa.cases import demo as cases_demo
    from zhifa.catalog import demo as catalog_demo
    from zhifa.org import demo as org_demo
    from zhifa.review import demo as review_demo

    settings.LEDGER_BLOB_DIR = tmp_path / "blobs"
    said: list[str] = []
    for step in (org_demo.load, catalog_demo.load, cases_demo.load, review_demo.load):
        step(said.append)
    assert said[-1].startswith("法制审核：")
    review_demo.load(said.append)
    assert said[-1] == "法制审核演示数据已存在，跳过。"
    assert ReviewRule.objects.count() == 2
    statuses = sorted(Review.objects.values_list("status", flat=True))
    expected = [ReviewStatus.ASSIGNED, ReviewStatus.ACCEPTED, ReviewStatus.RETURNED,
                ReviewStatus.ACCEPTED, ReviewStatus.SUBMITTED]  # fmt: skip
    assert statuses == sorted(expected)
    by_case = {r.case.title: r for r in Review.objects.select_related("case")}
    passed = by_case["未依法办理核准手续擅自建设热电联产项目（演示）"]
    assert passed.number and passed.case.step == "prior_notice"
    returned = by_case["未依法办理核准手续擅自建设新材料生产线（演示）"]
    assert returned.number and returned.case.step == "investigate"
    decided = by_case["未依法办理核准手续擅自建设化工项目（演示）"].case
    assert decided.decision_number and decided.step == "serve"
    assert Discussion.objects.filter(case=decided, attendees__isnull=False).exists()
    # The case heard at a 听证 waits for its reviewers; its package shows the 听证笔录.
    heard = by_case[cases_demo.HEARING_TITLE + cases_demo.MARK]
    assert heard.status == ReviewStatus.SUBMITTED and heard.case.hearing_held
    client.force_login(get_user_model().objects.get(username="reviewer1"))
    response = client.get(reverse("review:detail", args=[heard.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "听证笔录" in html and cases_demo.HEARING_PLACE in html and "从轻处罚" in html
