import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.core.calendar import working_deadline
from zhifa.disclosure import selectors, services
from zhifa.disclosure.models import Disclosure, PeriodProfile, Status
from zhifa.disclosure.tests.conftest import publish
from zhifa.ledger.models import Event


def _draft(cw, party=None) -> Disclosure:
    walk_penalty(cw, "served", party=party)
    assert services.disclosure_sync() == 1
    assert services.disclosure_sync() == 0  # idempotent
    return Disclosure.objects.get()


def test_draft_deadline_across_national_day(cw):
    case = walk_penalty(cw, "served")
    Case.objects.filter(pk=case.pk).update(decided_on=dt.date(2026, 9, 30))
    draft = services.disclosure_draft(case=Case.objects.get(pk=case.pk))
    assert draft.due_on == working_deadline(dt.date(2026, 9, 30), 7).due
    assert draft.due_on > dt.date(2026, 10, 9)  # the holiday week is not counted
    assert draft.status == Status.DRAFT


def test_person_masked_everywhere(cw):
    draft = _draft(cw, party=cw.person)
    assert cw.person.id_number in draft.text  # the original keeps it (staff only)
    published = publish(cw, draft)
    version = published.versions.get()
    blob = version.text + str(version.fields)
    assert cw.person.id_number not in blob
    assert "13800000000" not in blob and "甲县某村" not in blob
    assert "张三" not in blob and version.fields["party_name"] == "张某某"
    assert "138****0000" in blob or "13800000000" not in blob


def test_party_name_setting(cw):
    services.rule_for(cw.world.agency_a.pk, "penalty")
    from zhifa.disclosure.models import DisclosureRule

    DisclosureRule.objects.filter(agency=cw.world.agency_a).update(mask_party_name=False)
    version = publish(cw, _draft(cw, party=cw.person)).versions.get()
    assert version.fields["party_name"] == "张三"
    assert cw.person.id_number not in version.text


def test_organisation_name_and_credit_code_visible(cw):
    version = publish(cw, _draft(cw)).versions.get()
    assert version.fields["party_name"] == cw.org.name
    assert version.fields["credit_code"] == cw.org.credit_code
    assert "李四" not in version.text  # legal representative: another natural person


def test_minor_never_published(cw):
    type(cw.person).objects.filter(pk=cw.person.pk).update(is_minor=True)
    cw.person.refresh_from_db()
    draft = _draft(cw, party=cw.person)
    assert draft.status == Status.WITHHELD and "未成年" in draft.withheld_reason
    with pytest.raises(ValidationError):
        services.disclosure_review(acting_user=cw.user("reviewer_a"), draft=draft, approve=True)


def test_secret_flag_withholds(cw):
    draft = _draft(cw)
    services.disclosure_review(
        acting_user=cw.user("reviewer_a"),
        draft=draft,
        approve=True,
        secret=True,
        note="涉及商业秘密",
    )
    draft.refresh_from_db()
    assert draft.status == Status.WITHHELD and draft.secret
    with pytest.raises(ValidationError):
        services.disclosure_publish(acting_user=cw.user("leader_a"), draft=draft)
    assert not selectors.public_disclosures().exists()


def test_reviewer_cannot_publish(cw):
    draft = _draft(cw)
    services.disclosure_review(acting_user=cw.user("office_a"), draft=draft, approve=True)
    with pytest.raises(ValidationError, match="保密审查人"):
        services.disclosure_publish(acting_user=cw.user("office_a"), draft=draft)


def test_publish_needs_review_and_permission(cw):
    draft = _draft(cw)
    with pytest.raises(ValidationError):
        services.disclosure_publish(acting_user=cw.user("leader_a"), draft=draft)
    with pytest.raises(PermissionDenied):
        services.disclosure_review(acting_user=cw.user("officer_a"), draft=draft, approve=True)
    with pytest.raises(PermissionDenied):
        services.disclosure_review(acting_user=cw.user("office_b"), draft=draft, approve=True)


def test_publish_correct_withdraw_events(cw):
    d = publish(cw, _draft(cw))
    first = d.versions.get()
    event = Event.objects.get(seq=first.event_seq)
    assert event.kind == "disclosure.published"
    assert event.payload["content_sha256"] == first.content_sha256
    assert first.content_sha256 == services.content_hash(
        services.content_document(d.pk, 1, first.fields, first.text)
    )
    services.disclosure_correct(
        acting_user=cw.user("office_a"), disclosure=d, reason="文号笔误", text=d.text + "\n（更正）"
    )
    second = d.versions.get(number=2)
    corrected = Event.objects.get(seq=second.event_seq)
    assert corrected.kind == "disclosure.corrected" and corrected.corrects_id == first.event_seq
    changed = timezone.localdate()
    services.disclosure_withdraw(
        acting_user=cw.user("leader_a"), disclosure=d, reason="决定已被复议撤销", changed_on=changed
    )
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN
    assert d.withdraw_due == working_deadline(changed, 3).due
    withdrawn = Event.objects.get(seq=d.withdrawal_seq)
    assert withdrawn.kind == "disclosure.withdrawn"
    assert withdrawn.payload["reason"] == "决定已被复议撤销"


def test_expiry_filter(cw):
    d = publish(cw, _draft(cw))
    assert d.expires_on.year == timezone.localdate().year + 5  # organisation, Hebei profile
    assert selectors.public_disclosures().count() == 1
    Disclosure.objects.filter(pk=d.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert selectors.public_disclosures().count() == 0


def test_market_profile_light_penalty(cw):
    from zhifa.disclosure.models import DisclosureRule

    rule = services.rule_for(cw.world.agency_a.pk, "penalty")
    DisclosureRule.objects.filter(pk=rule.pk).update(period_profile=PeriodProfile.MARKET)
    d = publish(cw, _draft(cw))  # 5000元 fine: under the 1万元 default
    assert (d.expires_on - timezone.localdate()).days < 100
