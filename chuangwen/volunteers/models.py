"""Models of the volunteers app; each part lives in its own subpackage and is named here."""

from .pairs.models import PairActivity, PairActivityPhoto, PairSettings

__all__ = ["PairActivity", "PairActivityPhoto", "PairSettings"]
