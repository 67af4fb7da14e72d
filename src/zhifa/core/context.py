from django.conf import settings
from django.http import HttpRequest

from zhifa import __version__
from zhifa.core import nav


def navigation(request: HttpRequest) -> dict:
    return {
        "nav_entries": nav.entries_for(request.user),
        "zhifa_version": __version__,
        "demo_mode": settings.DEMO,
    }
