from django import forms

ALLOWED_SUFFIXES = (".txt", ".csv", ".xlsx")


class ImportForm(forms.Form):
    table = forms.FileField(
        label="责任分解表文件",
        help_text="原文文本（.txt，框线表格）、CSV 或 XLSX，列为：单位、一级栏目、二级栏目、三级栏目、具体内容、保障方式、政务公开类别",
    )
    dry_run = forms.BooleanField(label="仅试运行（显示将要做的更改，不写入）", required=False, initial=True)

    def clean_table(self):
        upload = self.cleaned_data["table"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("仅支持 .txt、.csv、.xlsx 文件")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件超过 5 MB")
        return upload
