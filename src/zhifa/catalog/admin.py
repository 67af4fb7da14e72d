from django.contrib import admin

from zhifa.catalog import models


class ArticleInline(admin.TabularInline):
    model = models.Article
    extra = 0
    fields = ["index", "number", "chapter", "section", "text"]


@admin.register(models.Law)
class LawAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "version_date", "source_file"]
    list_filter = ["level"]
    search_fields = ["title"]
    inlines = [ArticleInline]


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "chapter", "section"]
    list_filter = ["law"]
    search_fields = ["law__title", "number", "text"]
    list_select_related = ["law"]


class StepInline(admin.StackedInline):
    model = models.FlowStep
    extra = 0


@admin.register(models.FlowDefinition)
class FlowDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    inlines = [StepInline]


@admin.register(models.FlowTransition)
class FlowTransitionAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "label"]
    list_filter = ["source__flow"]
    list_select_related = ["source__flow", "target__flow"]


class BasisInline(admin.TabularInline):
    model = models.ItemBasis
    extra = 0
    autocomplete_fields = ["article"]


class VersionInline(admin.TabularInline):
    """Versions are written through the services (approval, history); read-only here."""

    model = models.EnforcementItemVersion
    extra = 0
    fields = ["number", "name", "kind", "status", "approved_by", "approved_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.EnforcementItem)
class EnforcementItemAdmin(admin.ModelAdmin):
    list_display = ["code", "agency", "current_version"]
    list_filter = ["agency"]
    search_fields = ["code", "versions__name"]
    readonly_fields = ["current_version"]
    inlines = [VersionInline]


@admin.register(models.EnforcementItemVersion)
class EnforcementItemVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "item", "number", "kind", "status"]
    list_filter = ["status", "kind"]
    inlines = [BasisInline]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == models.VersionStatus.APPROVED:
            return False
        return super().has_change_permission(request, obj)


@admin.register(models.DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "agency"]
    list_filter = ["kind", "agency"]


@admin.register(models.NumberingPattern)
class NumberingPatternAdmin(admin.ModelAdmin):
    list_display = ["agency", "kind", "pattern"]
    list_filter = ["agency"]


class InspectionBasisInline(admin.TabularInline):
    model = models.InspectionBasis
    extra = 0
    raw_id_fields = ["article"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.RandomInspectionItem)
class RandomInspectionItemAdmin(admin.ModelAdmin):
    """Read-only here: the list is kept through the office's pages, which record each change in
    the ledger (catalog.services.inspection_*)."""

    list_display = ["code", "name", "agency", "ratio", "frequency"]
    list_filter = ["agency"]
    search_fields = ["code", "name", "target", "content"]
    inlines = [InspectionBasisInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
