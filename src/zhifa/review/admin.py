from django.contrib import admin

from zhifa.review.models import Discussion, Review, ReviewRule, ReviewSettings


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "basis", "active", "requires_discussion"]
    list_filter = ["agency", "active"]


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(admin.ModelAdmin):
    list_display = ["agency", "all_ordinary", "time_limit_days", "extension_days", "quorum"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews change only through the services (and their ledger events)."""

    list_display = ["case", "round", "status", "opinion", "number", "due_on"]
    list_filter = ["agency", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ["case", "held_on", "chair"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
