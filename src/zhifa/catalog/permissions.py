"""One authorisation rule per action on the catalogue (checked by views and services)."""

from __future__ import annotations


def can_view_laws(user) -> bool:
    return user.has_perm("catalog.view_law")


def can_import_laws(user) -> bool:
    return user.has_perm("catalog.add_law")


def can_view_items(user) -> bool:
    return user.has_perm("catalog.view_enforcementitem")


def can_edit_items(user) -> bool:
    """办公室 / 系统管理员 draft and revise items of their own agency (P3)."""
    return user.has_perm("catalog.change_enforcementitem") and _acts_for_an_agency(user)


def can_approve_items(user) -> bool:
    """局领导 / 系统管理员 approve a version before it is published (P3)."""
    return user.has_perm("catalog.approve_enforcementitem") and _acts_for_an_agency(user)


def can_view_flows(user) -> bool:
    return user.has_perm("catalog.view_flowdefinition")


def can_view_templates(user) -> bool:
    return user.has_perm("catalog.view_documenttemplate")


def can_view_inspections(user) -> bool:
    return user.has_perm("catalog.view_randominspectionitem")


def can_edit_inspections(user) -> bool:
    """The office keeps its agency's 随机抽查事项清单 (P5)."""
    return user.has_perm("catalog.change_randominspectionitem") and _acts_for_an_agency(user)


def can_manage_numbering(user) -> bool:
    return user.has_perm("catalog.change_numberingpattern") and _acts_for_an_agency(user)


def _acts_for_an_agency(user) -> bool:
    return getattr(user, "staff", None) is not None
