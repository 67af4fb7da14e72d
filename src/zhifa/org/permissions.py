"""One authorisation rule per action on organisation data (checked by views and services)."""

from __future__ import annotations


def can_view_staff(user) -> bool:
    return user.has_perm("org.view_staff")


def can_manage_staff(user) -> bool:
    return user.has_perm("org.change_staff") and _acts_for_an_agency(user)


def can_view_certificates(user) -> bool:
    return user.has_perm("org.view_certificate")


def can_manage_certificates(user) -> bool:
    return user.has_perm("org.change_certificate") and _acts_for_an_agency(user)


def can_manage_units(user) -> bool:
    return user.has_perm("org.change_unit") and _acts_for_an_agency(user)


def can_view_training(user) -> bool:
    return user.has_perm("org.view_trainingrecord")


def can_manage_training(user) -> bool:
    return user.has_perm("org.add_trainingrecord") and _acts_for_an_agency(user)


def can_view_leading_group(user) -> bool:
    return user.has_perm("org.view_leadinggroup")


def can_view_devices(user) -> bool:
    return user.has_perm("org.view_device")


def can_manage_devices(user) -> bool:
    return user.has_perm("org.change_device") and _acts_for_an_agency(user)


def can_view_all_agencies(user) -> bool:
    return user.has_perm("org.view_all_agencies")


def can_configure(user) -> bool:
    """Django admin (系统配置) is for system administrators."""
    return bool(user.is_active and user.is_staff)


def _acts_for_an_agency(user) -> bool:
    # Writes always belong to the writer's own agency; an account without one cannot write here.
    return getattr(user, "staff", None) is not None
