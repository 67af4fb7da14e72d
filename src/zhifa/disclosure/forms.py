"""Forms of the disclosure staff pages: push subscribers (P16)."""

from __future__ import annotations

from django import forms

from zhifa.disclosure import push
from zhifa.disclosure.models import DisclosureKind
from zhifa.org.models import Agency


class SubscriberForm(forms.Form):
    name = forms.CharField(
        label="接收平台名称", max_length=100, help_text="例如：市公共信用信息平台。"
    )
    url = forms.URLField(
        label="接收地址",
        max_length=500,
        assume_scheme="https",
        help_text="接收方提供的 http(s) 地址；每次发布、更正、撤回都以签名 JSON 推送到这里。",
    )
    kinds = forms.MultipleChoiceField(
        label="推送类别",
        choices=DisclosureKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部类别。",
    )

    def __init__(self, *args, agencies=None, with_active: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:  # a user who sees every agency chooses one, or all
            self.fields["agency"] = forms.ModelChoiceField(
                label="执法主体",
                queryset=agencies,
                required=False,
                empty_label="全部执法主体",
            )
        if with_active:
            self.fields["active"] = forms.BooleanField(label="启用推送", required=False)

    def clean_url(self) -> str:
        """URLField also accepts ftp:// and any host; the push accepts http(s) only, and only
        the hosts in PUSH_ALLOWED_HOSTS when that is set (the service checks the same)."""
        url = self.cleaned_data["url"]
        if problem := push.url_problem(url):
            raise forms.ValidationError(problem)
        return url

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        agency: Agency | None = data.pop("agency", None)
        if "agency" in self.fields:
            data["agency_id"] = agency.pk if agency else None
        return data
