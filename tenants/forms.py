from django import forms

from .hosts import unit_hostname
from .models import Unit, UnitAlias, UnitType, code_validator
from .services import UNIT_PROFILE_FIELDS, DomainRefused, check_unit_domain


class ProvisionForm(forms.Form):
    code = forms.CharField(
        label="单位代码", max_length=20, validators=[code_validator], help_text="子站域名前缀，如 fgj → fgj.<门户域名>"
    )
    name = forms.CharField(label="单位简称", max_length=60)
    full_name = forms.CharField(label="单位全称", max_length=120, required=False)
    unit_type = forms.ChoiceField(
        label="单位类型", choices=[c for c in UnitType.choices if c[0] not in (UnitType.PORTAL, UnitType.TEMPLATE)]
    )
    extra_domain = forms.CharField(label="附加域名", max_length=253, required=False, help_text="可选，如 drc.zhuhai.gov.cn")
    extra_domain_external = forms.BooleanField(
        label="外部域名",
        required=False,
        help_text="附加域名不在门户域名之下（如单位原有的独立域名）时勾选；门户和其他单位的域名一律不能使用",
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Unit.objects.filter(code=code).exists():
            raise forms.ValidationError("该单位代码已被使用")
        try:
            check_unit_domain(unit_hostname(code))
        except DomainRefused as exc:
            raise forms.ValidationError(f"子站{exc.message}") from exc
        return code

    def clean_name(self):
        name = self.cleaned_data["name"]
        if Unit.objects.filter(name=name).exists():
            raise forms.ValidationError("该单位已存在")
        alias = UnitAlias.objects.filter(name=name).select_related("unit").first()
        if alias is not None:
            raise forms.ValidationError(f"该名称是单位「{alias.unit.name}」的曾用名或别名")
        return name

    def clean(self):
        cleaned_data = super().clean()
        raw = cleaned_data.get("extra_domain", "")
        if raw:
            try:
                cleaned_data["extra_domain"] = check_unit_domain(raw, external=cleaned_data.get("extra_domain_external", False))
            except DomainRefused as exc:
                self.add_error("extra_domain", exc.message)
        return cleaned_data


class UnitProfileForm(forms.ModelForm):
    """单位信息: name (a rename keeps the former name as an alias), contacts, site identity, aliases."""

    aliases = forms.CharField(
        label="曾用名或别名",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个。导入责任分解表时，表中的这些名称都对应本单位；改名后原名称自动保留在此",
    )

    class Meta:
        model = Unit
        fields = list(UNIT_PROFILE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_type"].choices = [c for c in UnitType.choices if c[0] not in (UnitType.PORTAL, UnitType.TEMPLATE)]
        self.initial["aliases"] = "\n".join(self.instance.aliases.values_list("name", flat=True))

    def clean_aliases(self):
        names = [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]
        for number, name in enumerate(names, start=1):
            if len(name) > 60:
                raise forms.ValidationError(f"第 {number} 行「{name[:20]}…」超过 60 个字")
        return names
