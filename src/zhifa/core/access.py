"""Authorisation for views: every view declares who may use it.

A view is either marked ``@public`` (no login) or wrapped by ``@login_required`` /
``@allowed(rule)``; a test walks the URL configuration and fails on any view that declares
neither, so a new page cannot ship without its permission check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

Rule = Callable[[object], bool]


def public(view: Callable) -> Callable:
    view.zhifa_access = "public"  # type: ignore[attr-defined]
    return view


def plain_visitor(request: HttpRequest) -> bool:
    """No session cookie and no flash messages: an anonymous visitor whom every public page
    shows the same, told without loading the session (signing in sets the cookie). Their
    responses must carry `Vary: Cookie` (`for_plain_visitors`), as a session read adds it."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def for_plain_visitors(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("Cookie",))
    return response


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
