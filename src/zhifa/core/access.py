"""Authorisation for views: every view declares who may use it.

A view is either marked ``@public`` (no login) or wrapped by ``@login_required`` /
``@allowed(rule)``; a test walks the URL configuration and fails on any view that declares
neither, so a new page cannot ship without its permission check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

Rule = Callable[[object], bool]


def public(view: Callable) -> Callable:
    view.zhifa_access = "public"  # type: ignore[attr-defined]
    return view


def signed_in(user) -> bool:
    return bool(user.is_authenticated)


def allowed(rule: Rule) -> Callable[[Callable], Callable]:
    """Require a logged-in user for whom ``rule(user)`` holds (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule(request.user):
                raise PermissionDenied("您没有执行此操作的权限。")
            return view(request, *args, **kwargs)

        wrapper.zhifa_access = rule.__name__  # type: ignore[attr-defined]
        return wrapper

    return decorator
