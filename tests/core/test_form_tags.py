import django_filters
from django.template import Context, Template

from chuangwen.cases.models import Case


class _Filter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词")
    state = django_filters.ChoiceFilter(choices=[("a", "A")], label="状态")
    since = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__gte")

    class Meta:
        model = Case
        fields = ["q", "state", "since"]


def test_a_filter_bar_gets_small_bootstrap_widgets_and_a_date_picker():
    f = _Filter({"since": "2026-03-05"}, queryset=Case.objects.none())
    html = Template(
        '{% load cw_forms %}{% for field in filter.form %}{{ field|styled:"sm" }}{% endfor %}'
    ).render(Context({"filter": f}))
    assert 'name="q" class="form-control form-control-sm"' in html
    assert 'name="state" class="form-select form-select-sm"' in html
    # the browser's date picker, given the ISO date it needs
    since = 'type="date" name="since" value="2026-03-05" class="form-control form-control-sm"'
    assert since in html
