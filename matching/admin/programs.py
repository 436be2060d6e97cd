"""A program's page in admin: its details, a link to its matching settings and its
members. Registered here rather than in ``mentoring.admin`` because the members' list
goes through matching's participation services (``memberships.save_membership``): a
member added or switched off here meets the same rules, lock and change history as on
the membership's own page and through the API."""

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from matching.admin.memberships import (
    ServiceRefusalAsMessageMixin,
    check_changes,
    save_membership,
)
from mentoring.admin_language import LanguageChoiceMixin
from mentoring.admin_scoping import ProgramScopedAdminMixin, ProgramScopedInlineMixin
from mentoring.models import Membership, Program, User


class _PersonNamed(forms.Widget):
    """A membership's person, named rather than chosen again."""

    def __init__(self, person: User) -> None:
        super().__init__()
        self.person = person

    def render(self, name, value, attrs=None, renderer=None) -> str:
        return format_html("{}", self.person)


class MemberRowForm(forms.ModelForm):
    """A new row chooses its person; a saved row names its person (changed, if ever, on
    the membership's own page): no search box, and no query, per member. A saved row's
    changes are checked by the participation rules, as on the membership's page."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            person = self.fields["user"]
            person.disabled = True
            person.widget = _PersonNamed(self.instance.user)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is not None and not self.errors and not cleaned.get("DELETE"):
            # The row as read for the page (the form sets its values only after clean).
            check_changes(self, self.instance, self.instance.program.matching_settings)
        return cleaned


class MembersInline(ProgramScopedInlineMixin, admin.TabularInline):
    # A mentor's limits, modes and pause are changed on the membership's own page (its
    # link here); this list adds people and switches memberships on and off.
    model = Membership
    form = MemberRowForm
    extra = 0
    fields = ("user", "role", "active")
    autocomplete_fields = ("user",)
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's label names its person and program, and a changed row's check reads
        # the program's settings: read with the rows, not a query each.
        return super().get_queryset(request).select_related("user", "program__matching_settings")


# A program's page lists its members up to this many; a larger program's page links to
# the members list instead (searchable, filtered, paginated): 11,000 rows made a page of
# 17 MB that took 21 s to build.
MEMBERS_LISTED_UP_TO = 200


@admin.register(Program)
class ProgramAdmin(
    ServiceRefusalAsMessageMixin, LanguageChoiceMixin, ProgramScopedAdminMixin, admin.ModelAdmin
):
    list_display = (
        "name",
        "slug",
        "active",
        "language_name",
        "members_link",
        "matching_settings_link",
        "created_at",
    )
    list_filter = ("active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("members", "matching_settings_link")
    inlines = [MembersInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Program]:
        # How many members, in the list's (and the page's) own query.
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    def get_inlines(self, request: HttpRequest, obj: Program | None):
        if obj is not None and obj.member_count > MEMBERS_LISTED_UP_TO:
            return []
        return super().get_inlines(request, obj)

    @admin.display(description=_("members"), ordering="member_count")
    def members_link(self, program: Program) -> str:
        """The count, linked to the list of members filtered by the program."""
        if not program.pk:
            return "—"
        count = program.member_count
        return format_html(
            '<a href="{}?program__id__exact={}">{}</a>',
            reverse("admin:mentoring_membership_changelist"),
            program.pk,
            ngettext("%(count)s member", "%(count)s members", count)
            % {"count": number_format(count, force_grouping=True)},
        )

    @admin.display(description=_("members"))
    def members(self, program: Program) -> str:
        """The page's line: the link, and why the table is missing when it is."""
        link = self.members_link(program)
        if not program.pk or program.member_count <= MEMBERS_LISTED_UP_TO:
            return link
        # A block of its own: the link is not in a sentence it could only be told from
        # by its colour (axe: link-in-text-block).
        return format_html(
            '{}<div class="help">{}</div>',
            link,
            gettext(
                "Too many to list on this page: find, add and change them in the list of members."
            ),
        )

    @admin.display(description=_("matching settings"))
    def matching_settings_link(self, program: Program) -> str:
        if not program.pk:
            return "—"
        url = reverse("admin:matching_matchingsettings_program", args=[program.pk])
        return format_html('<a href="{}">{}</a>', url, _("Matching settings"))

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # Django's save(commit=False) sorts the rows into new, changed and deleted (what
        # the admin's history says) and writes nothing; the services write. Removed rows
        # first, so that a person removed and added again in one save is added.
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        forms_by_row = {id(row_form.instance): row_form for row_form in formset.forms}
        for membership, _changed in formset.changed_objects:
            save_membership(request, forms_by_row[id(membership)], membership)
        for membership in formset.new_objects:
            save_membership(request, forms_by_row[id(membership)], membership)
