from .pairs import admin as pairs_admin  # noqa: F401  (registers the pair models)
