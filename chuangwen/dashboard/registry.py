"""What the home page (role workbenches) and the leaders' cockpit show: two lists of providers.

A provider is a function ``(scope, today) → …`` that answers in a constant number of queries
(whatever the number of cases or tasks):

- a **workbench provider** returns the ``Item`` s of one role's section (a count, the list it
  links to, the first few rows, each with the button the viewer may press);
- a **cockpit provider** returns one ``Panel`` (figures, a chart, rows, a map) or ``None``.

Apps above ``dashboard`` in the layering cannot be imported by the apps below it, so every
provider is registered here, by the dashboard itself (``dashboard/apps.py``) for the built-in
ones, and by the integrator for the apps that come later (a red/black list, campaigns,
volunteers, reports due, a unit's rank): one function and one ``register_*`` line each, see
``docs/guide/workbench.md`` (开发者：增加一项).

Every string of an Item or Panel is plain text: templates escape it, and the cockpit's script
passes every string through ``cwEscape`` before ECharts or Leaflet sees it.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.org.choices import Role
from chuangwen.org.scope import Scope

# --- the workbench ---------------------------------------------------------------------------

# sections of the home page, in this order, each for the people holding that role
SECTIONS: dict[str, tuple[str, Any]] = {
    "office": (Role.OFFICE_ADMIN, _("创建办")),
    "leader": (Role.LEADER, _("领导")),
    "liaison": (Role.UNIT_LIAISON, _("单位联络员")),
    "inspector": (Role.INSPECTOR, _("督查员")),
    "grid": (Role.GRID_WORKER, _("网格员")),
    "volunteer": (Role.VOLUNTEER, _("志愿者")),
    "citizen": (Role.CITIZEN, _("市民")),
}


@dataclass
class Row:
    """One thing to do: where it is done (``url``) and, when the viewer may do it there, the
    button's label (``action``, from the same check the service runs; empty: no button)."""

    label: str
    url: str
    detail: str = ""
    due: date | datetime | None = None
    late: bool = False
    action: str = ""
    note: str = ""  # a second line: what to do about it today (e.g. scan the check-in code)
    lon: float | None = None  # for "nearest first" on a phone
    lat: float | None = None

    @property
    def due_label(self) -> str:
        if isinstance(self.due, datetime):
            return f"{timezone.localtime(self.due):%Y-%m-%d %H:%M}"
        return f"{self.due:%Y-%m-%d}" if self.due else ""


@dataclass
class Item:
    """One line of a workbench section: how many, the list they are in, the first few."""

    key: str
    title: str
    count: int | None = None  # None: a figure rather than a number of things
    url: str = ""  # the whole (filtered) list
    rows: list[Row] = field(default_factory=list)
    late: int = 0  # how many of ``count`` are late
    figure: str = ""  # shown instead of the count (e.g. "可挽回 3.2 分")
    figure_tone: str = "bad"  # "bad": red, a loss to prevent; "": plain information (a balance)
    note: str = ""
    capped: bool = False  # count stopped at its cap: show "cap+"
    nearest: bool = False  # rows carry a place: offer "nearest first"
    action: str = ""  # a button for the whole item (e.g. 巡查上报)
    action_url: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to do: listed under "暂无" instead of as a card."""
        return not (self.count or self.rows or self.figure or self.action)


ItemProvider = Callable[[Scope, date], Iterable[Item]]
_items: dict[str, dict[str, tuple[int, ItemProvider]]] = {key: {} for key in SECTIONS}


def register_item(section: str, key: str, provider: ItemProvider, *, order: int = 100) -> None:
    """Add (or replace: registering is idempotent) a provider to a role's section."""
    if section not in SECTIONS:
        raise ValueError(f"unknown workbench section {section!r}; one of {sorted(SECTIONS)}")
    _items[section][key] = (order, provider)


def register_items(providers: Mapping[str, Sequence[tuple[str, ItemProvider]]]) -> None:
    """Register each section's providers, in the order listed."""
    for section, entries in providers.items():
        for order, (key, fn) in enumerate(entries):
            register_item(section, key, fn, order=(order + 1) * 10)


def section_items(section: str, scope: Scope, today: date) -> list[Item]:
    providers = sorted(_items[section].items(), key=lambda kv: (kv[1][0], kv[0]))
    return [item for _key, (_order, fn) in providers for item in fn(scope, today)]


def sections_for(scope: Scope) -> list[str]:
    """The sections of the viewer's roles (several roles: several sections)."""
    return [key for key, (role, _label) in SECTIONS.items() if role in scope.roles]


# --- the cockpit -----------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    value: float | int | str | None
    unit: str = ""
    url: str = ""
    tone: str = ""  # "good", "bad" or ""


@dataclass
class Series:
    name: str
    data: list[float | int | None]
    urls: list[str] = field(default_factory=list)  # one per data point: its list
    kind: str = "bar"  # "bar" or "line"
    axis: int = 0  # 0: left axis, 1: right axis


@dataclass
class Chart:
    categories: list[str]
    series: list[Series]
    horizontal: bool = False
    axis_names: list[str] = field(default_factory=list)
    scale: bool = False  # value axes fit the data instead of starting at zero (scores)


@dataclass
class PanelRow:
    label: str
    value: str = ""
    url: str = ""
    tone: str = ""


@dataclass
class Point:
    lon: float
    lat: float
    label: str
    url: str = ""
    tone: str = ""  # "bad": a problem found


@dataclass
class MapLayer:
    points: list[Point]
    outlines_url: str = ""  # GeoJSON of the city's grids (the base data)
    center: tuple[float, float] | None = None  # lon, lat


@dataclass
class Panel:
    key: str
    title: str
    url: str = ""
    figures: list[Figure] = field(default_factory=list)
    chart: Chart | None = None
    rows: list[PanelRow] = field(default_factory=list)
    map: MapLayer | None = None
    note: str = ""
    size: str = ""  # "wide" (two columns), "big" (two by two) or ""
    pending: bool = False  # a slot no app fills yet

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


PanelProvider = Callable[[Scope, date], Panel | None]
# slots shown even before an app fills them, so the wall's layout does not jump later
SLOTS: dict[str, Any] = {
    "campaigns": _("专项整治"),
    "volunteers": _("志愿服务"),
    "redblack": _("红黑榜"),
}
_panels: dict[str, tuple[int, PanelProvider]] = {}


def register_panel(key: str, provider: PanelProvider, *, order: int = 100) -> None:
    """Add (or replace) a cockpit panel; a key of ``SLOTS`` fills that slot."""
    _panels[key] = (order, provider)


def cockpit_panels(scope: Scope, today: date) -> list[Panel]:
    out: list[Panel] = []
    for _key, (_order, fn) in sorted(_panels.items(), key=lambda kv: (kv[1][0], kv[0])):
        panel = fn(scope, today)
        if panel is not None:
            out.append(panel)
    for key, title in SLOTS.items():
        if key not in _panels:
            out.append(Panel(key=key, title=str(title), pending=True))
    return out
