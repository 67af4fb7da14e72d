from zhifa.review.models import Discussion, Review, ReviewRule, ReviewStatus


def test_demo_reviews_load_twice(db, settings, tmp_path):
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
                ReviewStatus.ACCEPTED]  # fmt: skip
    assert statuses == sorted(expected)
    by_case = {r.case.title: r for r in Review.objects.select_related("case")}
    passed = by_case["未依法办理核准手续擅自建设热电联产项目（演示）"]
    assert passed.number and passed.case.step == "prior_notice"
    returned = by_case["未依法办理核准手续擅自建设新材料生产线（演示）"]
    assert returned.number and returned.case.step == "investigate"
    decided = by_case["未依法办理核准手续擅自建设化工项目（演示）"].case
    assert decided.decision_number and decided.step == "serve"
    assert Discussion.objects.filter(case=decided, attendees__isnull=False).exists()
