from django.contrib import admin

from onroll.procedures.admin import pack_choice_field

from .models import LocalAuthority, NonSchoolDay, School, SchoolCalendar, Term


class ChoosesPack:
    """Offer the loaded procedure packs as a list rather than a free-text id."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "procedure_pack":
            field = pack_choice_field()
            field.help_text = db_field.help_text
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ChoosesPack, admin.ModelAdmin):
    list_display = ("name", "code", "procedure_pack")


@admin.register(School)
class SchoolAdmin(ChoosesPack, admin.ModelAdmin):
    list_display = ("name", "urn", "la", "estab_number", "school_type", "phase", "is_open", "procedure_pack")
    list_filter = ("school_type", "phase", "la")
    search_fields = ("name", "urn")


class TermInline(admin.TabularInline):
    model = Term
    fields = ("name", "start", "half_term_start", "half_term_end", "end")
    extra = 0


class NonSchoolDayInline(admin.TabularInline):
    model = NonSchoolDay
    fields = ("date", "kind", "description")
    extra = 0


@admin.register(SchoolCalendar)
class SchoolCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "la", "school")
    list_filter = ("la",)
    search_fields = ("name", "school__name", "la__name")
    autocomplete_fields = ("school",)
    inlines = [TermInline, NonSchoolDayInline]
