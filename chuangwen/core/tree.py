"""Materialized-path trees (units, indicators): a parent link plus ``path``, the chain of
zero-padded ids from the root, each followed by a dot ("00000003.00000012."). A subtree is one
``path__startswith`` query on SQLite and PostgreSQL alike."""

from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr

PATH_WIDTH = 8


def child_path(parent: Any | None, pk: int) -> str:
    """The path of node ``pk`` placed under ``parent`` (None: a root)."""
    return f"{parent.path if parent is not None else ''}{pk:0{PATH_WIDTH}d}."


def rebase_paths(rows: QuerySet, field: str, old_prefix: str, new_prefix: str) -> int:
    """Rewrite the ``old_prefix`` of ``field`` to ``new_prefix`` on every row under it, in one
    UPDATE; returns the number of rows."""
    return rows.filter(**{f"{field}__startswith": old_prefix}).update(
        **{field: Concat(Value(new_prefix), Substr(field, len(old_prefix) + 1))}
    )


def move_subtree(tree: QuerySet, node: Any, new_parent: Any | None) -> str:
    """Re-root ``node`` and its descendants under ``new_parent`` in two UPDATEs; returns the
    node's new path.

    ``tree`` holds the rows of the node's own tree (e.g. one city's units); the caller has
    checked that ``new_parent`` is not inside the subtree.
    """
    new_path = child_path(new_parent, node.pk)
    depth_delta = (new_parent.depth + 1 if new_parent is not None else 0) - node.depth
    tree.filter(path__startswith=node.path).update(depth=F("depth") + depth_delta)
    rebase_paths(tree, "path", node.path, new_path)
    tree.filter(pk=node.pk).update(parent=new_parent)
    return new_path
