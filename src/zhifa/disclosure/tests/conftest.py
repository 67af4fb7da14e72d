from zhifa.cases.tests.conftest import (
    cw,  # noqa: F401 - reuse the case world fixture
    walk_penalty,
)
from zhifa.disclosure import services
from zhifa.disclosure.models import Disclosure


def publish(world, draft: Disclosure) -> Disclosure:
    """保密审查 by one person, publication by another: the normal path to the portal."""
    services.disclosure_review(acting_user=world.user("reviewer_a"), draft=draft, approve=True)
    return services.disclosure_publish(acting_user=world.user("leader_a"), draft=draft)


def published_decision(world, party=None) -> Disclosure:
    """A penalty case walked to its served decision, drafted and published."""
    walk_penalty(world, "served", party=party)
    services.disclosure_sync()
    return publish(world, Disclosure.objects.get())
