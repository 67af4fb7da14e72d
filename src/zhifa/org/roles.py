"""Roles are Django groups with model permissions; they are (re)created after every migrate."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "执法人员"
    UNIT_HEAD = "科室负责人"
    LEADER = "局领导"
    REVIEWER = "法制审核人员"
    OFFICE = "办公室"
    SUPERVISOR = "法制监督"
    ADMIN = "系统管理员"


# Roles an agency's office may grant; county-level and system roles are granted by admins.
OFFICE_GRANTABLE = (Role.OFFICER, Role.UNIT_HEAD, Role.LEADER, Role.REVIEWER, Role.OFFICE)


_ORG_MODELS = [
    "agency",
    "unit",
    "staff",
    "enforcementarea",
    "certificate",
    "trainingplan",
    "trainingrecord",
    "leadinggroup",
    "leadinggroupmember",
    "device",
]
_STAFF_WORK = [
    "unit",
    "staff",
    "certificate",
    "trainingplan",
    "trainingrecord",
    "leadinggroup",
    "leadinggroupmember",
    "enforcementarea",
    "device",
]

# The catalogue (zhifa.catalog): everyone working in enforcement reads laws, items, flows and
# templates; the office drafts items and numbering patterns, leaders approve items (P3).
_CATALOG_READ = [
    "catalog.view_law",
    "catalog.view_article",
    "catalog.view_enforcementitem",
    "catalog.view_flowdefinition",
    "catalog.view_documenttemplate",
    "catalog.view_numberingpattern",
    "catalog.view_randominspectionitem",
]
_CATALOG_MODELS = [
    "law",
    "article",
    "enforcementitem",
    "enforcementitemversion",
    "itembasis",
    "flowdefinition",
    "flowstep",
    "flowtransition",
    "documenttemplate",
    "numberingpattern",
    "randominspectionitem",
    "inspectionbasis",
]

# Cases (zhifa.cases): everyone in enforcement and the county supervisor reads the cases in
# scope; who may act is decided by the flow's step roles (cases.permissions, services).
_CASES_READ = ["cases.view_case"]

# Legal review (zhifa.review): the enforcement roles and the supervisor read reviews; the
# 法制科 keeps the 审核目录清单 and the review settings. Who may act on a review is decided by
# the review services (审核人, 复审人, handling unit, leader).
_REVIEW_READ = ["review.view_review"]
_REVIEW_KEEP = [
    f"review.{action}_{model}"
    for model in ("reviewrule", "reviewsettings")
    for action in ("view", "add", "change")
]

# Which permissions each role holds. Agency scoping is applied by selectors on top.
PERMISSIONS: dict[Role, list[str]] = {
    Role.OFFICER: [
        "org.view_staff",
        "org.view_unit",
        *_CATALOG_READ,
        *_CASES_READ,
        *_REVIEW_READ,
    ],
    Role.UNIT_HEAD: [
        "org.view_staff",
        "org.view_unit",
        "org.view_certificate",
        *_CATALOG_READ,
        *_CASES_READ,
        *_REVIEW_READ,
    ],
    Role.LEADER: [
        "org.view_staff",
        "org.view_unit",
        "org.view_certificate",
        "org.view_trainingrecord",
        "org.view_leadinggroup",
        "org.view_device",
        *_CATALOG_READ,
        "catalog.approve_enforcementitem",
        *_CASES_READ,
        *_REVIEW_READ,
        "review.view_reviewrule",
        "review.view_reviewsettings",
    ],
    Role.REVIEWER: [
        "org.view_staff",
        "org.view_unit",
        "org.view_certificate",
        "org.view_trainingrecord",
        *_CATALOG_READ,
        *_CASES_READ,
        *_REVIEW_READ,
        *_REVIEW_KEEP,
    ],
    Role.OFFICE: [
        f"org.{action}_{model}" for model in _STAFF_WORK for action in ("view", "add", "change")
    ]
    + _CATALOG_READ
    + [
        "catalog.add_enforcementitem",
        "catalog.change_enforcementitem",
        "catalog.add_numberingpattern",
        "catalog.change_numberingpattern",
        "catalog.add_randominspectionitem",
        "catalog.change_randominspectionitem",
        "catalog.delete_randominspectionitem",
        *_CASES_READ,
    ],
    Role.SUPERVISOR: [f"org.view_{model}" for model in _ORG_MODELS]
    + ["org.view_all_agencies", *_CATALOG_READ, *_CASES_READ, *_REVIEW_READ],
    Role.ADMIN: [
        f"org.{action}_{model}"
        for model in _ORG_MODELS
        for action in ("view", "add", "change", "delete")
    ]
    + [
        f"core.{action}_{model}"
        for model in ("holidayschedule", "scheduleday")
        for action in ("view", "add", "change", "delete")
    ]
    + [
        f"catalog.{action}_{model}"
        for model in _CATALOG_MODELS
        for action in ("view", "add", "change", "delete")
    ]
    + ["catalog.approve_enforcementitem"],
}

# Disclosure (zhifa.disclosure): the 法制审核人员 and the office do the confidentiality review
# (保密审查); the office and leaders approve publication (a second person: the services refuse
# the reviewer as publisher); the office keeps the disclosure rules (P1).
for _role, _codenames in {
    Role.OFFICE: [
        "disclosure.view_disclosure",
        "disclosure.review_disclosure",
        "disclosure.publish_disclosure",
        "disclosure.view_disclosurerule",
        "disclosure.change_disclosurerule",
    ],
    Role.LEADER: ["disclosure.view_disclosure", "disclosure.publish_disclosure"],
    Role.REVIEWER: ["disclosure.view_disclosure", "disclosure.review_disclosure"],
    Role.SUPERVISOR: ["disclosure.view_disclosure", "disclosure.view_disclosurerule"],
    Role.ADMIN: [f"disclosure.{a}_disclosurerule" for a in ("view", "add", "change")],
}.items():
    PERMISSIONS[_role] = [*PERMISSIONS[_role], *_codenames]

# Push to other platforms (P16): the office configures its agency's subscribers and retries
# failed deliveries; the supervisor reads every agency's; the admin may add all-agency ones.
for _role, _codenames in {
    Role.OFFICE: [f"disclosure.{a}_subscriber" for a in ("view", "add", "change")],
    Role.SUPERVISOR: ["disclosure.view_subscriber"],
    Role.ADMIN: [f"disclosure.{a}_subscriber" for a in ("view", "add", "change")],
}.items():
    PERMISSIONS[_role] = [*PERMISSIONS[_role], *_codenames]


def sync_groups(using: str = "default", **kwargs: object) -> None:
    """Create each role's group and set exactly its permissions (idempotent).

    Runs after `migrate`. Permissions of apps later in INSTALLED_APPS are created by their own
    post_migrate step, after this one, so they are created here first for every app.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    existing = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    for role, codenames in PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([existing[c] for c in codenames if c in existing])


def role_names(user) -> set[str]:
    """The names of the user's roles (their groups)."""
    return {group.name for group in user.groups.all()}


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if role == Role.ADMIN and user.is_superuser:
        return True
    return any(group.name == role.value for group in user.groups.all())
