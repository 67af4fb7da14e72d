"""Demo disclosures: default rules for every agency, a natural person's decided penalty (ID
number, mobile phone and home address in the original, masked when published), publication
of the older decided cases through the review and publish services, one of them corrected and
one withdrawn (each with its public reason), and drafts left overdue and due soon (on the
office's 待办 and the supervisor's list). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhifa.core import demo
from zhifa.disclosure import services
from zhifa.disclosure.models import Disclosure, DisclosureKind, Status
from zhifa.org.models import Agency

PERSON = "李明华"


def _person_case(agency: Agency) -> None:
    """A natural person's penalty decided 25 days ago, made through the case services."""
    from zhifa.cases import demo as cases_demo
    from zhifa.cases import services as case_services
    from zhifa.cases.models import Case, PartyKind
    from zhifa.core.codes import resident_id_check_char

    if Case.objects.filter(agency=agency, party__name=PERSON).exists():
        return
    make = cases_demo._Maker(agency)
    if "CF-002" not in make.items or len(make.u) < 3:
        return
    first17 = "13052819780605123"
    party = case_services.party_create(
        acting_user=make.officer,
        kind=PartyKind.PERSON,
        name=PERSON,
        id_number=first17 + resident_id_check_char(first17),
        phone="13903190123",
        address="河北省邢台市宁晋县凤凰镇东关村128号",
    )
    make.penalty("CF-002", party, "未通过节能审查擅自投入使用", "execute", 50, 30_000_00)


DUE_SOON = "节能审查（公示即将到期演示）"
# Left unpublished so 待办 and the supervisor's list show an overdue draft.
OVERDUE = "未按核准的建设规模建设"
# 企业投资项目核准和备案管理条例 art. 12: a 核准 is valid for 2 years unless work starts.
CORRECTED = "补充公示原公示遗漏的许可有效期（核准文件自作出之日起2年内有效）。"
WITHDRAWN = (
    "化整为零规避招标",
    "宁晋县人民政府行政复议决定撤销原行政处罚决定，依法撤回公示。",
)


def _due_soon_case(agency: Agency) -> None:
    """A licence granted so many working days ago that its disclosure is due within two
    working days (118号: 7 working days), computed with the working-day calendar."""
    from zhifa.cases import demo as cases_demo
    from zhifa.cases.models import Case
    from zhifa.core.calendar import working_days_between, working_deadline

    if Case.objects.filter(agency=agency, title__startswith=DUE_SOON).exists():
        return
    make = cases_demo._Maker(agency)
    if "XK-002" not in make.items or len(make.u) < 3:
        return
    today = timezone.localdate()
    rule = services.rule_for(agency.pk, DisclosureKind.LICENCE)
    days = next(
        k
        for k in range(1, 30)
        if working_days_between(
            today, working_deadline(today - dt.timedelta(days=k), rule.deadline_days).due
        )
        <= 1
    )
    party = make.party("宁晋县鑫源热力有限公司", 111)
    make.licence("XK-002", party, DUE_SOON, days + 12, decide=True)


def _correct_and_withdraw(publisher) -> tuple[int, int]:
    """One published decision corrected and one withdrawn, each with its public reason."""
    corrected = withdrawn = 0
    d = (
        Disclosure.objects.filter(status=Status.PUBLISHED, kind=DisclosureKind.LICENCE)
        .exclude(case__title__startswith=DUE_SOON)
        .order_by("decided_on")
        .first()
    )
    if d is not None and d.versions.count() == 1:
        services.disclosure_correct(
            acting_user=publisher,
            disclosure=d,
            reason=CORRECTED,
            fields={"valid_until": services._add_months(d.decided_on, 24).isoformat()},
        )
        corrected = 1
    title, reason = WITHDRAWN
    d = Disclosure.objects.filter(status=Status.PUBLISHED, case__title__startswith=title).first()
    if d is not None:
        services.disclosure_withdraw(
            acting_user=publisher,
            disclosure=d,
            reason=reason,
            changed_on=timezone.localdate() - dt.timedelta(days=1),
        )
        withdrawn = 1
    return corrected, withdrawn


DEMO_SUBSCRIBER = "市公共信用信息平台（演示）"
# A loopback port nothing listens on: every push fails at once, so the delivery log shows
# attempts and scheduled retries (1, 2, 4 … minutes) without any outside connection.
DEMO_SUBSCRIBER_URL = "http://127.0.0.1:9/zhifa/push"


@demo.register(45, "公示推送订阅方")
def push_subscriber(say) -> None:
    """A configured subscriber of the demo agency, before the decisions are published, so each
    publication, correction and withdrawal is queued for it (P16)."""
    from zhifa.disclosure import push
    from zhifa.disclosure.models import Subscriber

    agency = Agency.objects.filter(name="宁晋县发展改革局").first()
    office = get_user_model().objects.filter(username="office1").first()
    if agency is None or office is None:
        say("未找到演示执法主体或办公室用户，跳过推送订阅方。")
        return
    if Subscriber.objects.filter(agency=agency, name=DEMO_SUBSCRIBER).exists():
        return
    push.subscriber_create(
        acting_user=office, name=DEMO_SUBSCRIBER, url=DEMO_SUBSCRIBER_URL, kinds=[]
    )
    say(
        f"推送：已配置订阅方“{DEMO_SUBSCRIBER}”（{DEMO_SUBSCRIBER_URL}，演示用，推送会失败并重试）。"
    )


@demo.register(50, "公示")
def load(say) -> None:
    for agency in Agency.objects.all():
        for kind in (DisclosureKind.PENALTY, DisclosureKind.LICENCE):
            services.rule_for(agency.pk, kind)
    agency = Agency.objects.filter(name="宁晋县发展改革局").first()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["office1", "leader1", "reviewer1"])
    }
    if agency is None:
        say("未找到演示执法主体，跳过公示演示。")
        return
    with transaction.atomic():
        _person_case(agency)
        _due_soon_case(agency)
        made = services.disclosure_sync()
        reviewer = users.get("reviewer1") or users.get("office1")
        publisher = users.get("leader1")
        published = corrected = withdrawn = 0
        if reviewer and publisher:
            drafts = (
                Disclosure.objects.filter(agency=agency, status=Status.DRAFT)
                .exclude(case__title__startswith=OVERDUE)
                .exclude(case__title__startswith=DUE_SOON)
                .order_by("decided_on")
            )
            # Keep the most recent draft, an overdue one and one due soon unpublished, so 待办
            # and the supervisor's list show them.
            for draft in list(drafts)[:-1]:
                services.disclosure_review(
                    acting_user=reviewer, draft=draft, approve=True, note="已核对，无涉密内容"
                )
                services.disclosure_publish(acting_user=publisher, draft=draft)
                published += 1
            corrected, withdrawn = _correct_and_withdraw(publisher)
    say(
        f"公示：新生成草稿 {made} 件，发布 {published} 件，"
        f"更正 {corrected} 件，撤回 {withdrawn} 件。"
    )


@demo.register(90, "全文检索索引")
def search_index(say) -> None:
    """Last step: decisions were indexed as they were published; this also indexes the items,
    guides, random-inspection items and officers the earlier steps made."""
    from zhifa.disclosure.search import reindex

    counts = reindex()
    say(f"全文检索：已索引 {sum(counts.values())} 条公示内容。")


@demo.register(95, "公示推送")
def push_attempt(say) -> None:
    """One delivery run, so the demo's delivery log already shows a failed attempt and its
    scheduled retry (the Huey consumer continues from there)."""
    from zhifa.disclosure import push
    from zhifa.disclosure.models import OutboxMessage, OutboxStatus

    delivered = push.deliver_due()["delivered"]
    waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    say(f"推送：本次送达 {delivered} 条，待重试 {waiting} 条（见“公示推送”页的推送记录）。")
