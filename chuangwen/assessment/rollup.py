"""The national roll-up, as plain functions (no database), so it can be checked by hand.

1. Every observation is scored 0–1 by its check item's rule.
2. A check item's ratio is the mean of its observations; a standard's field ratio the mean of
   the ratios of the check items linked to it.
3. Up the tree, a node's ratio is the weighted mean of its children that have a ratio; the
   weight of a child is its points, else its 权数 (weight), else 1.
4. A component's score is its points (40 field, 40 materials) × the ratio of the (virtual) root.

``shares`` gives each node's share of the root (the product of its normalised weights along the
path), which turns a change of a standard's ratio into points: Δscore = points × share × Δratio.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    id: int
    parent_id: int | None
    points: float | None = None
    weight: float | None = None

    @property
    def w(self) -> float:
        if self.points is not None and self.points > 0:
            return float(self.points)
        if self.weight is not None and self.weight > 0:
            return float(self.weight)
        return 1.0


ROOT = 0  # the virtual root above the 测评项目


def item_ratios(observations: Iterable[tuple[int, float]]) -> dict[int, tuple[float, int]]:
    """(check item id, score) → {item: (mean score, n)}."""
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for item, score in observations:
        sums[item] += score
        counts[item] += 1
    return {k: (sums[k] / counts[k], counts[k]) for k in sums}


def standard_ratios(
    items: Mapping[int, tuple[float, int]], standards_of: Mapping[int, Iterable[int]]
) -> dict[int, float]:
    """{standard: mean of its items' ratios} over the items that have observations."""
    acc: dict[int, list[float]] = defaultdict(list)
    for item, (ratio, _n) in items.items():
        for std in standards_of.get(item, ()):
            acc[std].append(ratio)
    return {s: sum(v) / len(v) for s, v in acc.items()}


def roll_up(nodes: Iterable[Node], leaf: Mapping[int, float]) -> dict[int, float]:
    """Ratio of every node that has data below it, and of ``ROOT``."""
    nodes = list(nodes)
    children: dict[int, list[Node]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id if n.parent_id is not None else ROOT].append(n)
    out: dict[int, float] = {}

    def visit(node_id: int) -> float | None:
        kids = children.get(node_id, [])
        if not kids:
            value = leaf.get(node_id)
            if value is not None:
                out[node_id] = value
            return value
        total = weight = 0.0
        for child in kids:
            r = visit(child.id)
            if r is not None:
                total += child.w * r
                weight += child.w
        # no scored children: the node's own ratio, if it has one (a standard with sub-nodes)
        value = leaf.get(node_id) if weight == 0 else total / weight
        if value is not None:
            out[node_id] = value
        return value

    visit(ROOT)
    return out


def shares(nodes: Iterable[Node], ratios: Mapping[int, float]) -> dict[int, float]:
    """Each scored node's share of the root: Π w / Σ w(scored siblings) along its path."""
    nodes = list(nodes)
    children: dict[int, list[Node]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id if n.parent_id is not None else ROOT].append(n)
    out: dict[int, float] = {ROOT: 1.0}
    stack = [ROOT]
    while stack:
        parent = stack.pop()
        scored = [c for c in children.get(parent, []) if c.id in ratios]
        total = sum(c.w for c in scored)
        for c in scored:
            out[c.id] = out[parent] * c.w / total
            stack.append(c.id)
    return out
