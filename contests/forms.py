"""Forms of 评比, with Chinese labels and messages."""

from __future__ import annotations

from django import forms

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class ChineseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


def _moment(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": f"请填写{label}时间", "invalid": f"{label}时间格式应为 2026-12-01 09:00"},
    )


def _count(label: str, initial: int, *, minimum: int = 0, maximum: int = 50) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        initial=initial,
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "required": f"请填写{label}",
            "invalid": f"{label}须为整数",
            "min_value": f"{label}不少于 {minimum}",
            "max_value": f"{label}不超过 {maximum}",
        },
    )


class ContestForm(ChineseForm):
    title = forms.CharField(
        label="评比名称", max_length=120, error_messages={"required": "请填写评比名称", "max_length": "评比名称不超过 120 个字"}
    )
    theme = forms.CharField(
        label="评比主题与要求",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "请填写评比主题与要求", "max_length": "不超过 5000 个字"},
    )
    year = _count("年度", 2026, minimum=2000, maximum=2100)
    nomination_opens_at = _moment("申报开始")
    nomination_closes_at = _moment("申报截止")
    scoring_closes_at = _moment("评审截止")
    criteria = forms.CharField(
        label="评分项",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一项：评分项名称 满分，例如“内容完整准确 40”",
        error_messages={"required": "请至少设置一个评分项"},
    )
    jury = forms.MultipleChoiceField(
        label="评委（考评专家）",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少指定一名评委", "invalid_choice": "评委须为“考评专家”组的成员"},
    )
    max_nominations_per_unit = _count("每个单位最多申报", 1, minimum=1, maximum=10)
    first_prizes = _count("一等奖名额", 1)
    second_prizes = _count("二等奖名额", 2)
    third_prizes = _count("三等奖名额", 3)

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jury"].choices = [
            (str(user.pk), (user.get_full_name() or "").strip() or user.get_username()) for user in experts
        ]


class NominationForm(ChineseForm):
    title = forms.CharField(
        label="作品名称", max_length=200, error_messages={"required": "请填写作品名称", "max_length": "作品名称不超过 200 个字"}
    )
    url = forms.CharField(
        label="作品网址",
        max_length=500,
        help_text="须为本单位网站上的页面",
        error_messages={"required": "请填写作品网址", "max_length": "网址不超过 500 个字符"},
    )
    statement = forms.CharField(
        label="申报说明",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "请填写申报说明", "max_length": "申报说明不超过 5000 个字"},
    )


class ScoreForm(ChineseForm):
    """One field per criterion, 0 to its maximum."""

    def __init__(self, *args, criteria=(), initial_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_points = initial_points or {}
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name}（满分 {criterion.max_points}）",
                min_value=0,
                max_value=criterion.max_points,
                initial=initial_points.get(criterion.pk),
                error_messages={
                    "required": f"请为“{criterion.name}”打分",
                    "invalid": f"“{criterion.name}”的得分须为整数",
                    "min_value": f"“{criterion.name}”的得分不能小于 0",
                    "max_value": f"“{criterion.name}”的得分不能超过 {criterion.max_points}",
                },
            )
        self.criteria = list(criteria)

    def points(self) -> dict[int, int]:
        return {criterion.pk: self.cleaned_data[f"criterion_{criterion.pk}"] for criterion in self.criteria}
