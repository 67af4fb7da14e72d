"""`zhifa demo` runs the demo steps each app registers, in order; every step is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEMO_PASSWORD = "zhifa-demo"  # noqa: S105 - public demo password, printed on purpose


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[Callable[[str], None]], None]  # receives a `say` function for progress


_steps: list[DemoStep] = []


def register(order: int, name: str):
    def decorator(run):
        if all(step.name != name for step in _steps):
            _steps.append(DemoStep(order, name, run))
        return run

    return decorator


def steps() -> list[DemoStep]:
    return sorted(_steps, key=lambda step: step.order)
