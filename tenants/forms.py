from django import forms

from .models import Unit, UnitType, code_validator


class ProvisionForm(forms.Form):
    code = forms.CharField(label="单位代码", max_length=20, validators=[code_validator], help_text="子站域名前缀，如 fgj → fgj.<门户域名>")
    name = forms.CharField(label="单位简称", max_length=60)
    full_name = forms.CharField(label="单位全称", max_length=120, required=False)
    unit_type = forms.ChoiceField(label="单位类型", choices=[c for c in UnitType.choices if c[0] not in (UnitType.PORTAL, UnitType.TEMPLATE)])
    extra_domain = forms.CharField(label="附加域名", max_length=253, required=False, help_text="可选，如 drc.zhuhai.gov.cn")

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Unit.objects.filter(code=code).exists():
            raise forms.ValidationError("该单位代码已被使用")
        return code

    def clean_name(self):
        name = self.cleaned_data["name"]
        if Unit.objects.filter(name=name).exists():
            raise forms.ValidationError("该单位已存在")
        return name
