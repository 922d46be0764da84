from django.contrib import admin

from .models import LocalAuthority, NonSchoolDay, School, SchoolCalendar, Term


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "urn", "la", "estab_number", "school_type", "phase", "is_open")
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
