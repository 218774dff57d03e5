from django.db import models
from django.utils.translation import gettext_lazy as _


class GeometryKind(models.TextChoices):
    POINT = "point", _("点")
    LINE = "line", _("线（道路）")
    POLYGON = "polygon", _("面")


GEOJSON_KIND = {
    "Point": GeometryKind.POINT,
    "LineString": GeometryKind.LINE,
    "MultiLineString": GeometryKind.LINE,
    "Polygon": GeometryKind.POLYGON,
    "MultiPolygon": GeometryKind.POLYGON,
}


class AssignmentRole(models.TextChoices):
    """包保: the units answerable for a site besides its owner."""

    LEAD = "lead", _("包保牵头")
    SUPPORT = "support", _("包保配合")
