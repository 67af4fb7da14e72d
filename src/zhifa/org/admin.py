from django.contrib import admin

from zhifa.org import models


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "credit_code", "region_name", "parent"]
    search_fields = ["name", "credit_code"]


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "is_legal_unit"]
    list_filter = ["agency"]


@admin.register(models.EnforcementArea)
class EnforcementAreaAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class LeadingGroupMemberInline(admin.TabularInline):
    model = models.LeadingGroupMember
    autocomplete_fields = ["staff"]
    extra = 3


@admin.register(models.LeadingGroup)
class LeadingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "office_unit"]
    inlines = [LeadingGroupMemberInline]


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["real_name", "agency", "unit", "post", "is_active"]
    list_filter = ["agency", "is_active"]
    search_fields = ["real_name", "user__username"]
