from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.http import Http404


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the field it concerns."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else NON_FIELD_ERRORS
            for message in messages:
                form.add_error(None if target == NON_FIELD_ERRORS else target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


T = TypeVar("T")


@dataclass(frozen=True)
class FormOutcome(Generic[T]):
    """What `form_outcome` hands back. It is true when the service succeeded, so a view can
    write `if done:` even for a service that returns None; `value` is the service's result."""

    ok: bool
    value: T | None = None

    def __bool__(self) -> bool:
        return self.ok


def form_outcome(form: forms.Form, action: Callable[[], T]) -> FormOutcome[T]:
    """Run a form's service call; a ValidationError it raises goes onto the form.

    The form counterpart of `flash_outcome`: call it after `form.is_valid()`, e.g.

        done = form_outcome(form, lambda: services.item_create(acting_user=..., ...))
        if done:
            messages.success(request, f"已新增 {done.value.code}。")
            return redirect(...)
        # else fall through and re-render the form: the service's errors sit next to the
        # fields they name (see `add_service_errors`) and the user's input is kept.

    Only ValidationError is caught; anything else (PermissionDenied, ...) propagates.
    """
    try:
        value = action()
    except ValidationError as error:
        add_service_errors(form, error)
        return FormOutcome(ok=False)
    return FormOutcome(ok=True, value=value)


def flash_outcome(request, action: Callable[[], object], success: Callable[[object], str]) -> None:
    """Run a button's service call: its ValidationError messages, or `success(result)`, become
    the flash messages of the page the view redirects to."""
    try:
        result = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success(result))


def get_or_404(selector, **kwargs):
    """Call a scoped `*_get` selector; anything outside the caller's scope is simply not found."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404("未找到该记录，或您无权查看。") from exc
