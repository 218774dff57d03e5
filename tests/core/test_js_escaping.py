"""Every user string our JavaScript hands to Leaflet or ECharts as HTML goes through the one
escape function (static/js/escape.js), which every page loads."""

import re
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[2] / "chuangwen"
HTML_SINKS = re.compile(r"\.(bindTooltip|bindPopup|setContent|formatter)\s*[(:=]\s*")


def _our_scripts():
    return [p for p in ROOT.rglob("*.js") if "vendor" not in p.parts]


def _template_literal(text: str, start: int) -> str:
    """The first template literal from ``start`` (to the closing backtick)."""
    open_at = text.index("`", start)
    return text[open_at : text.index("`", open_at + 1) + 1]


def test_every_interpolation_into_leaflet_or_echarts_html_is_escaped():
    checked = 0
    for path in _our_scripts():
        text = path.read_text(encoding="utf-8")
        for sink in HTML_SINKS.finditer(text):
            literal = _template_literal(text, sink.end())
            for expr in re.findall(r"\$\{([^}]*)\}", literal):
                # either escaped, or a choice between two constant strings
                assert expr.startswith("cwEscape(") or re.fullmatch(
                    r"[\w.]+ \? \"[^\"]*\" : \"[^\"]*\"", expr
                ), f"{path.name}: ${{{expr}}} reaches HTML unescaped"
                checked += 1
    assert checked >= 5


def test_the_escape_function_is_loaded_on_every_page_before_the_page_scripts(small_city):
    client = Client()
    client.force_login(small_city.office.user)
    body = client.get("/org/grids/map/").content.decode()
    assert body.index("js/escape.js") < body.index("js/grid_map.js")
    assert "cwEscape" in (ROOT / "static/js/escape.js").read_text(encoding="utf-8")


def test_grid_names_reach_the_map_as_json_data_not_markup(small_city):
    from chuangwen.org import services

    c = small_city
    services.update_unit(c.community_a, name="<b>甲</b>", acting_user=c.office.user)
    client = Client()
    client.force_login(c.office.user)
    response = client.get("/org/grids/geojson/")
    assert response["Content-Type"] == "application/json"
    units = {f["properties"]["unit"] for f in response.json()["features"]}
    assert "<b>甲</b>" in units
