"""`form_outcome`: a form view's service call, its ValidationError put back onto the form."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.core.forms import form_outcome


class NameForm(forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False)


def _valid_form() -> NameForm:
    form = NameForm({"name": "张三", "note": "备注"})
    assert form.is_valid()
    return form


def _raise(error: Exception):
    def action():
        raise error

    return action


def test_success_gives_the_service_result():
    form = _valid_form()
    done = form_outcome(form, lambda: {"pk": 7})
    assert done
    assert done.ok is True
    assert done.value == {"pk": 7}
    assert form.errors == {}


@pytest.mark.parametrize("falsy", [None, 0, "", []])
def test_success_is_true_even_when_the_service_returns_nothing(falsy):
    form = _valid_form()
    done = form_outcome(form, lambda: falsy)
    assert done
    assert done.ok is True
    assert done.value == falsy
    assert form.errors == {}


def test_the_service_is_called_once():
    calls = []
    form_outcome(_valid_form(), lambda: calls.append("called"))
    assert calls == ["called"]


def test_field_error_lands_next_to_its_field_and_keeps_the_input():
    form = _valid_form()
    done = form_outcome(form, _raise(ValidationError({"name": ["该名称已被使用。"]})))
    assert not done
    assert done.ok is False
    assert done.value is None
    assert form.errors == {"name": ["该名称已被使用。"]}
    assert form.non_field_errors() == []
    assert form["name"].value() == "张三"
    assert 'value="张三"' in str(form["name"])


def test_errors_for_several_fields_and_an_unknown_one():
    form = _valid_form()
    error = ValidationError(
        {"name": ["名称有误。"], "note": ["备注过长。"], "not_on_form": ["其他问题。"]}
    )
    assert not form_outcome(form, _raise(error))
    assert form.errors["name"] == ["名称有误。"]
    assert form.errors["note"] == ["备注过长。"]
    assert form.non_field_errors() == ["其他问题。"]


def test_plain_error_becomes_a_non_field_error():
    form = _valid_form()
    done = form_outcome(form, _raise(ValidationError("案件已结案，不能再修改。")))
    assert not done
    assert form.non_field_errors() == ["案件已结案，不能再修改。"]
    assert "name" not in form.errors
    assert form["note"].value() == "备注"


def test_error_list_becomes_non_field_errors():
    form = _valid_form()
    assert not form_outcome(form, _raise(ValidationError(["第一条。", "第二条。"])))
    assert form.non_field_errors() == ["第一条。", "第二条。"]


def test_other_exceptions_are_not_swallowed():
    form = _valid_form()
    with pytest.raises(PermissionDenied):
        form_outcome(form, _raise(PermissionDenied("无权操作。")))
    assert form.errors == {}
