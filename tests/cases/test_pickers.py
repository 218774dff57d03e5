"""The case and category pickers: scoped to the user, the category rows name the unit the rule
gives a case."""

from django.urls import reverse

from .conftest import IN_A, IN_B


def test_cases_cannot_be_searched_across_districts(cc, client_for):
    a = cc.intake("甲区井盖破损", point=IN_A).case
    b = cc.intake("乙区井盖破损", point=IN_B).case
    client = client_for(cc.sc.liaison_a)
    found = client.get(reverse("cases:pick_cases"), {"q": "井盖"}).json()["results"]
    values = {r["value"] for r in found}
    assert str(a.pk) in values and str(b.pk) not in values
    office = client_for(cc.sc.office).get(reverse("cases:pick_cases"), {"q": "井盖"}).json()
    assert {str(a.pk), str(b.pk)} <= {r["value"] for r in office["results"]}
    # a case out of scope gives no unit hints either
    rows = client.get(reverse("cases:pick_categories"), {"case": b.pk}).json()["results"]
    assert rows and all("unit" not in r for r in rows)


def test_category_rows_name_the_unit_for_a_case(cc, client_for):
    case = cc.intake("路灯不亮", point=IN_A).case
    client = client_for(cc.sc.office)
    url = reverse("cases:pick_categories")
    rows = client.get(url, {"case": case.pk}).json()["results"]
    assert rows and all("unit" in r for r in rows)
    assert any(r["unit"] for r in rows)
    rows = client.get(url, {"case": "abc"}).json()["results"]
    assert rows and all("unit" not in r for r in rows)
