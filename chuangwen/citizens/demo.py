"""Demo data of the citizens app: each part adds its own (``voice``: suggestions, topics, the
category model)."""

from collections.abc import Callable

from chuangwen.org.models import City

from .voice import demo as voice_demo


def build_demo(city: City, seed: int, log: Callable[[str], object], **extra: object) -> None:
    voice_demo.build_demo(city, seed, log, **extra)
