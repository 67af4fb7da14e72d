from zhifa.review.models import Review, ReviewRule, ReviewStatus


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
    assert statuses == sorted([ReviewStatus.ASSIGNED, ReviewStatus.ACCEPTED])
    passed = Review.objects.get(status=ReviewStatus.ACCEPTED)
    assert passed.number and passed.case.step == "prior_notice"
