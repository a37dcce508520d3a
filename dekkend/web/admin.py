"""The admin (``/beheer/``) for site administrators: boards, regions, people, tokens, jobs, audit log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from dekkend.web.models import ApiToken, AuditRegel, Bestuur, Gebruiker, Regio, Taak, Uitnodiging

admin.site.site_header = "dekkend werkruimte: beheer"
admin.site.site_title = "dekkend beheer"


@admin.register(Bestuur)
class BestuurAdmin(admin.ModelAdmin):
    list_display = ("code", "naam", "weergavenaam")
    search_fields = ("code", "naam", "weergavenaam")


@admin.register(Regio)
class RegioAdmin(admin.ModelAdmin):
    list_display = ("naam", "soort", "selectie")
    filter_horizontal = ("besturen",)
    search_fields = ("naam", "selectie")


@admin.register(Gebruiker)
class GebruikerAdmin(UserAdmin):
    list_display = ("email", "first_name", "last_name", "rol", "bestuur", "is_active")
    list_filter = ("rol", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    filter_horizontal = ("regios",)
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Persoon", {"fields": ("first_name", "last_name")}),
        ("Rol en toegang", {"fields": ("rol", "bestuur", "regios", "is_active")}),
        ("Datums", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "rol", "bestuur", "password1", "password2")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("gebruiker", "naam", "begin", "aangemaakt", "laatst_gebruikt")
    readonly_fields = ("sleutel_hash", "begin", "aangemaakt", "laatst_gebruikt")


@admin.register(Taak)
class TaakAdmin(admin.ModelAdmin):
    list_display = ("pk", "soort", "regio", "status", "voortgang", "aangevraagd_door", "aangemaakt", "klaar")
    list_filter = ("soort", "status")


@admin.register(AuditRegel)
class AuditRegelAdmin(admin.ModelAdmin):
    list_display = ("moment", "wie", "actie", "object", "adres")
    list_filter = ("actie",)
    search_fields = ("wie", "object")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Uitnodiging)
class UitnodigingAdmin(admin.ModelAdmin):
    """Invitations are made on a region's members page (the link is shown there once); here they can be traced."""

    list_display = ("email", "rol", "regio", "bestuur", "uitgenodigd_door", "aangemaakt", "verloopt", "gebruikt")
    list_filter = ("rol", "regio")
    search_fields = ("email",)
    readonly_fields = ("sleutel_hash", "aangemaakt", "gebruikt", "gebruikt_door", "uitgenodigd_door")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
