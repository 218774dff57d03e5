"""Demo data of the volunteers app: each part builds its own (see pairs/demo.py)."""

from collections.abc import Callable
from typing import Any

from chuangwen.org.models import City

from .pairs.demo import build_demo as build_pairs_demo


def build_demo(city: City, seed: int, log: Callable[[str], Any], **extra: Any) -> None:
    build_pairs_demo(city, seed, log)
