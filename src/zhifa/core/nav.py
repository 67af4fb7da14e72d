"""The navigation: each app registers its entries with the rule that decides who sees them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

Rule = Callable[[object], bool]


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    rule: Rule
    order: int = 100


_entries: list[NavEntry] = []


def register(label: str, url_name: str, rule: Rule, order: int = 100) -> None:
    if all(e.url_name != url_name for e in _entries):
        _entries.append(NavEntry(label, url_name, rule, order))


def entries_for(user) -> list[dict[str, str]]:
    if not user.is_authenticated:
        return []
    visible = sorted((e for e in _entries if e.rule(user)), key=lambda e: e.order)
    return [{"label": e.label, "url": reverse(e.url_name), "name": e.url_name} for e in visible]
