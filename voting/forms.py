"""Forms of the public vote (captcha on the first step) and of the centre's vote log, with Chinese messages."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms

from .models import COMMENT_MAX_LENGTH, Answer

CODE_LENGTH = 6


class ChineseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class BallotForm(ChineseForm):
    """Step 1: the unit, the answer, an optional comment, the mobile number and the captcha."""

    unit = forms.TypedChoiceField(
        label="评价单位",
        coerce=int,
        error_messages={"required": "请选择要评价的单位", "invalid_choice": "请选择要评价的单位"},
    )
    answer = forms.ChoiceField(
        label="您的评价",
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意、基本满意或不满意", "invalid_choice": "请选择满意、基本满意或不满意"},
    )
    comment = forms.CharField(
        label=f"意见建议（选填，不超过 {COMMENT_MAX_LENGTH} 字，不公开）",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        error_messages={"max_length": f"意见建议不超过 {COMMENT_MAX_LENGTH} 字"},
    )
    phone = forms.CharField(
        label="手机号码（接收验证码）",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={"required": "请填写手机号码", "max_length": "请输入 11 位手机号码（以 1 开头）"},
    )
    captcha = CaptchaField(
        label="图形验证码",
        error_messages={
            "invalid": "图形验证码不正确，请重新输入",
            "required": "请输入图形验证码",
            "incomplete": "请输入图形验证码",
        },
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择单位"), *[(unit.pk, unit.name) for unit in units]]

    def clean_phone(self):
        from .identity import normalise_mobile

        number = normalise_mobile(self.cleaned_data["phone"])
        if number is None:
            raise forms.ValidationError("请输入 11 位手机号码（以 1 开头）")
        return number


class CodeForm(ChineseForm):
    """Step 2: the SMS code; the token ties it to the pending vote."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100, error_messages={"required": "验证信息已失效，请重新投票"})
    code = forms.CharField(
        label="短信验证码（6 位数字）",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "请输入短信验证码", "max_length": "请输入 6 位数字验证码"},
    )


class VoteIdsField(forms.Field):
    """The ticked votes: a list of ids (bad values are refused, not a 500)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        result = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit() or len(text) > 18:
                raise forms.ValidationError("所选投票不存在")
            result.append(int(text))
        return result


class AnnulForm(forms.Form):
    """Annul the ticked votes, or every not-yet-annulled vote one rule flags, with a reason."""

    reason = forms.CharField(
        label="作废理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写作废理由", "max_length": "作废理由不超过 500 字"},
    )
    votes = VoteIdsField(label="勾选的投票", required=False)
    rule = forms.ChoiceField(label="或：按异常规则作废全部被标记的投票", required=False)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "（不按规则，只作废勾选的投票）"), *rules]

    def clean(self):
        data = super().clean()
        if not data.get("votes") and not data.get("rule") and not self.errors:
            raise forms.ValidationError("请勾选要作废的投票，或选择一条异常规则")
        return data
