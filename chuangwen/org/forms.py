from django import forms
from django.utils.translation import gettext_lazy as _

IMPORT_KINDS = [
    ("units", _("单位（Excel）")),
    ("people", _("人员（Excel）")),
    ("grids", _("网格（Excel）")),
    ("grids_geojson", _("网格（GeoJSON）")),
]
MAX_UPLOAD = 20 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=IMPORT_KINDS)
    file = forms.FileField(label=_("文件"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 20 MB 上限"))
        return f

    def clean(self):
        data = super().clean() or {}
        f, kind = data.get("file"), data.get("kind")
        if f and kind:
            suffix = f.name.lower().rsplit(".", 1)[-1]
            expected = {"grids_geojson": {"geojson", "json"}}.get(kind, {"xlsx"})
            if suffix not in expected:
                self.add_error(
                    "file", _("文件类型不符，需要 %(ext)s") % {"ext": "/".join(sorted(expected))}
                )
        return data
