"""Open311 GeoReport v2 (plus the ``servicerequestupdates`` extension), served at /open311/v2/."""
