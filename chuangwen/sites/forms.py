from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    fmt = forms.ChoiceField(
        label=_("格式"), choices=[("xlsx", "Excel (.xlsx)"), ("geojson", "GeoJSON")]
    )
    file = forms.FileField(label=_("文件"))
