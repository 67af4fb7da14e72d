from collections.abc import Callable

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
