"""The Content-Security-Policy breaks nothing in a real browser: no violation on the home page,
the maps and the chart pages, and their scripts really ran."""

import pytest

from chuangwen.cases import services as case_services
from chuangwen.org.actors import SYSTEM
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


def test_pages_run_without_csp_violations(live_server, page):
    city = SmallCity()
    case_services.load_categories(city.city, acting_user=SYSTEM)
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, live_server, city.office.user.username, PASSWORD)

    def visit(path, ready):
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_function(f"() => {ready}")  # a function: a bare string would need eval
        assert page.evaluate("window.__csp") == [], path

    visit("/", "document.readyState === 'complete' && !!window.htmx")
    visit("/org/grids/map/", "document.getElementById('map').dataset.loaded === '2'")
    visit("/cases/map/", "document.getElementById('case-count').textContent.startsWith('共')")
    visit("/tasks/battle-map/", "!!window.echarts")
    visit("/cases/summary/", "!!window.echarts")
    # the department pickers are searchable (tom-select): their script has run
    visit("/cases/categories/", "!!document.querySelector('.ts-wrapper')")
    assert not [m for m in console if "Content Security Policy" in m], console
