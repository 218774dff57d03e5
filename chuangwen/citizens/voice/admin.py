"""Suggestions, topics and category models, read-only in the admin."""

from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import CategoryModel, Suggestion, SuggestionLike, Topic, TopicItem


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("number", "source", "submitted_at", "status", "like_count")
    exclude = ("contact_phone",)


@admin.register(SuggestionLike)
class SuggestionLikeAdmin(ReadOnlyAdmin):
    list_display = ("suggestion", "at")
    exclude = ("device_key", "phone_key")


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("name", "status", "heat", "people", "messages", "locked")


@admin.register(TopicItem)
class TopicItemAdmin(ReadOnlyAdmin):
    list_display = ("topic", "suggestion", "case")


@admin.register(CategoryModel)
class CategoryModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "active", "macro_f1", "accuracy", "n_train", "created_at")
    exclude = ("data",)
