"""Demo disclosures: default rules for every agency, a natural person's decided penalty (ID
number, mobile phone and home address in the original, masked when published), publication
of the older decided cases through the review and publish services, and the recent ones left
as drafts (overdue / due soon on the office's 待办). Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

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
        made = services.disclosure_sync()
        reviewer = users.get("reviewer1") or users.get("office1")
        publisher = users.get("leader1")
        published = 0
        if reviewer and publisher:
            drafts = Disclosure.objects.filter(agency=agency, status=Status.DRAFT).order_by(
                "decided_on"
            )
            # Keep the most recent draft unpublished so 待办 shows a due/overdue draft.
            for draft in list(drafts)[:-1]:
                services.disclosure_review(
                    acting_user=reviewer, draft=draft, approve=True, note="已核对，无涉密内容"
                )
                services.disclosure_publish(acting_user=publisher, draft=draft)
                published += 1
    say(f"公示：新生成草稿 {made} 件，发布 {published} 件。")
