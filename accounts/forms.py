from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=16,
        help_text="身份验证器上显示的 6 位数字；手机不在身边时，可输入一个备用验证码（每个只能用一次）。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        error_messages={"required": "请输入验证码"},
    )


class EnrolForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=8,
        help_text="扫描二维码（或输入密钥）后，身份验证器上显示的 6 位数字。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "请输入验证码"},
    )
