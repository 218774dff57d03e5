"""Every list filter's empty choice reads 全部, never "---------" or 未知."""

import importlib
import pkgutil

import django_filters
import pytest

import chuangwen


def _filtersets():
    for mod in pkgutil.iter_modules(chuangwen.__path__):
        try:
            importlib.import_module(f"chuangwen.{mod.name}.filters")
        except ModuleNotFoundError:
            continue
    seen, todo = [], list(django_filters.FilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("chuangwen.") and cls._meta.model is not None:
            seen.append(cls)  # (a base without a model only styles its subclasses)
    return seen


@pytest.mark.django_db
def test_every_filter_says_all():
    sets = _filtersets()
    assert len(sets) >= 5
    for cls in sets:
        html = str(cls({}, queryset=cls._meta.model._default_manager.none()).form)
        assert "---------" not in html, cls
        assert "未知" not in html and ">Unknown<" not in html, cls
    from chuangwen.sites.filters import SiteFilter

    html = str(SiteFilter({}, queryset=SiteFilter._meta.model.objects.none()).form)
    assert '<option value="" selected>全部</option>' in html
