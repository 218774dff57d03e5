import pytest

from tests.browser.conftest import failed_requests, log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_home_and_grid_map(live_server, page):
    city = SmallCity()
    failed = failed_requests(page)
    log_in(page, live_server, city.office.user.username, PASSWORD)
    assert page.locator("h1").first.inner_text().startswith("工作台")

    page.goto(f"{live_server.url}/org/grids/map/")
    page.wait_for_selector("#map[data-loaded]")
    assert page.get_attribute("#map", "data-loaded") == "2"
    assert "共 2 个网格" in page.inner_text("#grid-count")
    # the polygons are really drawn: the overlay canvas has painted pixels
    painted = page.evaluate(
        """() => {
            const c = document.querySelector('.leaflet-overlay-pane canvas');
            if (!c) return 0;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n;
        }"""
    )
    assert painted > 1000
    # clicking inside a grid asks the server which grid it is
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => document.getElementById('locate-result').textContent.startsWith('所在网格')"
    )
    assert city.grid_a.code in page.inner_text("#locate-result")
    assert failed == []
