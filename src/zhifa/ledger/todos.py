"""Evidence files that the latest fixity run found missing or changed, on the supervisor's
待办 page (C9: the record must show when evidence was lost or altered)."""

from __future__ import annotations

from django.urls import reverse

from zhifa.core.todo import TodoItem

PROBLEMS = {"missing": "文件缺失", "changed": "内容已被改动（哈希不符）"}


def _url(subject: str, seq: int) -> str:
    label, _, pk = subject.partition(":")
    if label == "cases.case" and pk.isdigit():
        return reverse("cases:case_detail", args=[int(pk)])
    return f"/api/v1/ledger/events/{seq}"


def fixity_todos(user) -> list[TodoItem]:
    """One item per file the latest ``zhifa ledger fixity`` run reported, for users who
    supervise all agencies. A file restored since then drops off at the next run."""
    from zhifa.ledger import selectors
    from zhifa.org.permissions import can_view_all_agencies

    if not user.is_authenticated or not can_view_all_agencies(user):
        return []
    return [
        TodoItem(
            title=f"证据文件{PROBLEMS.get(event.payload.get('problem'), '异常')}："
            f"{event.payload.get('sha256', '')[:16]}…",
            url=_url(event.subject, event.seq),
            detail=f"完整性检查（账本事件 #{event.seq}，{event.time:%Y-%m-%d %H:%M}）发现"
            f"该文件{PROBLEMS.get(event.payload.get('problem'), '异常')}，所属：{event.subject}。"
            "请从备份恢复原文件后重新运行完整性检查（zhifa ledger fixity）。",
            level="danger",
        )
        for event in selectors.latest_fixity_problems(user)
    ]
