from django import forms

from chuangwen.core.forms import StyledForm, bootstrap


class _Form(StyledForm):
    name = forms.CharField()
    note = forms.CharField(widget=forms.Textarea)
    kind = forms.ChoiceField(choices=[("a", "A")])
    tags = forms.MultipleChoiceField(choices=[("a", "A")])
    done = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
    own = forms.CharField(widget=forms.TextInput(attrs={"class": "text-end"}))


def _classes(form: forms.Form) -> dict[str, str | None]:
    return {name: f.widget.attrs.get("class") for name, f in form.fields.items()}


def test_each_kind_of_widget_gets_its_bootstrap_class_and_a_class_set_by_the_form_stays():
    assert _classes(_Form()) == {
        "name": "form-control",
        "note": "form-control",
        "kind": "form-select",
        "tags": "form-select",
        "done": "form-check-input",
        "pick": None,  # radio and check-box lists: their template styles each choice
        "many": None,
        "own": "text-end",
    }


def test_small_sizes_selects_and_inputs():
    form = _Form()
    for field in form.fields.values():
        field.widget.attrs.pop("class", None)
    bootstrap(form.fields.values(), small=True)
    classes = _classes(form)
    assert classes["name"] == "form-control form-control-sm"
    assert classes["kind"] == "form-select form-select-sm"
    assert classes["done"] == "form-check-input"
