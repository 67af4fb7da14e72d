from django.contrib import admin

from zhifa.core.models import HolidaySchedule, ScheduleDay


class ScheduleDayInline(admin.TabularInline):
    model = ScheduleDay
    extra = 10


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "notice", "entered_by", "entered_at"]
    inlines = [ScheduleDayInline]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
