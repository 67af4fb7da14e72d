"""The personal 待办 (to-do) page is filled by providers that each app registers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.urls import reverse
from django.utils import timezone

Level = Literal["info", "warning", "danger"]


@dataclass(frozen=True)
class TodoItem:
    title: str
    url: str
    detail: str = ""
    level: Level = "info"
    due: dt.date | None = None


Provider = Callable[[object], list[TodoItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def items_for(user: object) -> list[TodoItem]:
    order = {"danger": 0, "warning": 1, "info": 2}
    items = [item for provider in _providers for item in provider(user)]
    return sorted(items, key=lambda i: (order[i.level], i.due or dt.date.max, i.title))


def calendar_schedule_todos(user) -> list[TodoItem]:
    """Tell calendar administrators which years still lack the official holiday schedule."""
    from zhifa.core.calendar import missing_schedule_years

    if not user.has_perm("core.add_holidayschedule"):
        return []
    this_year = timezone.localdate().year
    return [
        TodoItem(
            title=f"录入{year}年法定节假日安排",
            url=reverse("admin:core_holidayschedule_add"),
            detail=(
                f"系统尚无{year}年的节假日和调休安排，涉及该年的期限暂按周一至周五计算并标注"
                "“暂定”。请在国务院办公厅通知发布后录入。"
            ),
            level="warning",
        )
        for year in missing_schedule_years([this_year, this_year + 1])
    ]
