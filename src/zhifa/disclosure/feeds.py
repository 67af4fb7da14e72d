"""Atom feed of the portal (P14): the latest 50 publications, corrections and withdrawals of
decisions still within their publication period, masked like every public page."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from zhifa.core.access import public
from zhifa.disclosure import opendata, selectors
from zhifa.disclosure.models import Status

FEED_SIZE = 50
ACTIONS = {"published": "发布", "corrected": "更正", "withdrawn": "撤回"}


class DecisionFeed(Feed):
    feed_type = Atom1Feed
    title = "行政执法公示：最新公示的执法决定"
    subtitle = "行政处罚、行政许可决定的发布、更正与撤回（已按规定脱敏）"
    author_name = "zhifa 行政执法公示平台"

    def link(self):
        return reverse("disclosure:decision_list")

    def feed_url(self):
        return reverse("decisions_feed")

    def items(self):
        return selectors.feed_changes(limit=FEED_SIZE)

    @staticmethod
    def _action(change) -> str:
        disclosure, version, seq = change
        if disclosure.status == Status.WITHDRAWN and seq == disclosure.withdrawal_seq:
            return "withdrawn"
        return "corrected" if version and version.number > 1 else "published"

    def item_title(self, change):
        disclosure, version, _seq = change
        fields = version.fields if version else {}
        number = fields.get("document_number") or f"编号 {disclosure.pk}"
        return f"【{ACTIONS[self._action(change)]}】{number} {fields.get('party_name', '')}".strip()

    def item_description(self, change):
        disclosure, version, _seq = change
        fields = version.fields if version else {}
        action = self._action(change)
        parts = [
            f"{disclosure.get_kind_display()}：{fields.get('matter', '')}",
            f"决定机关：{fields.get('authority', '')}",
            f"决定日期：{fields.get('decided_on', '')}",
            f"类别：{fields.get('category', '')}",
        ]
        if fields.get("fine_yuan"):
            parts.append(f"罚款金额：{fields['fine_yuan']}元")
        if action == "corrected" and version.reason:
            parts.append(f"更正理由：{version.reason}")
        if action == "withdrawn":
            parts.append(f"撤回理由：{disclosure.withdrawal_reason}")
        return "；".join(parts)

    def item_link(self, change):
        return reverse("disclosure:decision_detail", args=[change[0].pk])

    def item_guid(self, change):
        disclosure, _version, seq = change
        return f"urn:zhifa:disclosure:{disclosure.pk}:event:{seq}"

    item_guid_is_permalink = False

    def item_updateddate(self, change):
        disclosure, version, _seq = change
        if self._action(change) == "withdrawn":
            return disclosure.withdrawn_at
        return version.published_at if version else disclosure.published_at

    def item_pubdate(self, change):
        return self.item_updateddate(change)

    def item_author_name(self, change):
        return change[0].agency.name

    def item_categories(self, change):
        return [opendata.KIND_LABELS.get(change[0].kind, change[0].kind)]


decisions_feed = public(DecisionFeed())
