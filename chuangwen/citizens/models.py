from .voice.models import (  # noqa: F401
    CategoryModel,
    Suggestion,
    SuggestionLike,
    Topic,
    TopicItem,
)
