"""Forms of 互动交流: the citizen's (captcha, honeypot) and the staff's, all with Chinese messages."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms

from .models import Kind, Rating, RefusalReason, mobile_validator

REQUIRED = "请填写{}"


def _required(label: str) -> dict[str, str]:
    return {"required": REQUIRED.format(label)}


class ChineseForm(forms.Form):
    """Labels end in a full-width colon, as Chinese forms write them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CitizenForm(ChineseForm):
    """The public form on a unit's 互动渠道 page and on the portal (市长信箱 / 咨询投诉)."""

    kind = forms.ChoiceField(
        label="留言类型", choices=Kind.choices, error_messages={"required": "请选择留言类型", "invalid_choice": "请选择留言类型"}
    )
    subject = forms.CharField(
        label="标题",
        min_length=4,
        max_length=120,
        error_messages={**_required("标题"), "min_length": "标题至少 4 个字", "max_length": "标题不超过 120 个字"},
    )
    content = forms.CharField(
        label="内容",
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=10,
        max_length=5000,
        error_messages={**_required("留言内容"), "min_length": "留言内容至少 10 个字", "max_length": "留言内容不超过 5000 个字"},
    )
    problem_url = forms.URLField(
        label="问题网址（纠错时填写）",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "请填写完整的网址，例如 http://fgj.zhuhai.gov.cn/…"},
    )
    name = forms.CharField(
        label="姓名", min_length=2, max_length=40, error_messages={**_required("姓名"), "min_length": "请填写真实姓名"}
    )
    phone = forms.CharField(label="手机号码", max_length=11, validators=[mobile_validator], error_messages=_required("手机号码"))
    email = forms.EmailField(label="电子邮箱（选填）", required=False, error_messages={"invalid": "电子邮箱格式不正确"})
    attachments = MultipleFileField(label="附件（选填，最多 3 个，每个不超过 5 MB）", required=False)
    agree_publish = forms.BooleanField(
        label="同意在网站公开留言和答复（不公开姓名、电话等个人信息）", required=False, initial=True
    )
    # A field people do not see (hidden by CSS, skipped by screen readers); a bot fills it.
    website = forms.CharField(
        label="网址", required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"})
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"invalid": "验证码不正确，请重新输入", "required": "请输入验证码", "incomplete": "请输入验证码"},
    )

    def clean_phone(self):
        return self.cleaned_data["phone"].strip()

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.CORRECTION and not data.get("problem_url"):
            self.add_error("problem_url", "纠错留言请填写出现问题的网址")
        return data

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class QueryForm(ChineseForm):
    number = forms.CharField(label="查询码", max_length=16, error_messages=_required("查询码"))
    phone = forms.CharField(label="手机号码", max_length=11, validators=[mobile_validator], error_messages=_required("手机号码"))

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class RatingForm(ChineseForm):
    rating = forms.ChoiceField(
        label="评价", choices=Rating.choices, widget=forms.RadioSelect, error_messages={"required": "请选择评价"}
    )
    comment = forms.CharField(label="意见（选填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FollowupForm(ChineseForm):
    followup = forms.CharField(
        label="追问（每条留言可追问一次）",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={**_required("追问内容"), "min_length": "追问内容至少 5 个字"},
    )


# --- staff --------------------------------------------------------------------


class AcceptForm(forms.Form):
    kind = forms.ChoiceField(label="留言类型（可更正）", choices=Kind.choices)


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label="不予受理理由", choices=RefusalReason.choices)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label="办理人（互动处理人）",
        queryset=None,
        error_messages={"required": "请选择办理人", "invalid_choice": "请选择本单位的互动处理人"},
    )

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda user: (user.get_full_name() or "").strip() or user.get_username()


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 8}), error_messages=_required("答复内容"))


class ReviewForm(forms.Form):
    DECISIONS = (
        ("publish", "审核通过并公开"),
        ("withhold", "审核通过，不公开"),
        ("reject", "退回修改"),
    )
    decision = forms.ChoiceField(
        label="审核结果", choices=DECISIONS, widget=forms.RadioSelect, error_messages={"required": "请选择审核结果"}
    )
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    not_public_reason = forms.CharField(label="不公开理由", required=False)


class PublishForm(forms.Form):
    public_subject = forms.CharField(label="公开标题", max_length=120)
    public_question = forms.CharField(label="公开的留言内容", widget=forms.Textarea(attrs={"rows": 5}))
    public_reply = forms.CharField(label="公开的答复内容", widget=forms.Textarea(attrs={"rows": 6}))
    faq = forms.BooleanField(label="列入常见问题", required=False)


class WithholdForm(forms.Form):
    reason = forms.CharField(label="不公开理由", error_messages=_required("不公开理由"))


class ExtensionForm(forms.Form):
    extra_days = forms.IntegerField(
        label="延长工作日",
        min_value=1,
        max_value=30,
        error_messages={"min_value": "至少延长 1 个工作日", "max_value": "最多延长 30 个工作日"},
    )
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}), error_messages=_required("延期理由"))


class ExtensionDecisionForm(forms.Form):
    approve = forms.ChoiceField(label="审批", choices=(("1", "批准"), ("0", "不批准")), widget=forms.RadioSelect)
    comment = forms.CharField(label="意见", required=False)


class HandoverForm(forms.Form):
    target = forms.ChoiceField(label="责任单位")
    reason = forms.CharField(label="转办理由", widget=forms.Textarea(attrs={"rows": 2}), error_messages=_required("转办理由"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(unit.code, unit.name) for unit in units]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回理由（本单位不是责任单位的原因）",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required("退回理由"),
    )


class FollowupReplyForm(forms.Form):
    text = forms.CharField(label="追问答复", widget=forms.Textarea(attrs={"rows": 4}), error_messages=_required("追问答复"))


class NationalCaseForm(forms.Form):
    """A 找错 case from the national platform, entered by the information centre."""

    target = forms.ChoiceField(label="网站所属单位")
    external_ref = forms.CharField(label="找错编号", max_length=60, required=False)
    problem_url = forms.URLField(
        label="问题网址",
        max_length=500,
        assume_scheme="https",
        error_messages={**_required("问题网址"), "invalid": "网址格式不正确"},
    )
    content = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}), error_messages=_required("问题描述"))
    submitted_on = forms.DateField(label="网民提交日期", required=False, error_messages={"invalid": "日期格式应为 2026-01-31"})

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(unit.code, unit.name) for unit in units]


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（CSV 或 JSON）", error_messages={"required": "请选择要导入的文件"})
