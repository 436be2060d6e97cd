"""Bad input on Django admin's own URLs, for every registered ``ModelAdmin``, as a program
admin and as a superuser: change lists with every list filter's parameters, the date
hierarchy, any local field's lookups, search (``q``), ordering (``o``) and paging fuzzed;
the autocomplete of every autocomplete field; the change and add forms with over-long,
NUL and edge-of-type values, one field at a time.

Every response is a 200, 302, 400, 403 or 404, never a 500; a refused form changes
nothing in the database; over-long and NUL text is always refused. Each request runs in
a savepoint rolled back afterwards, so every case starts from the same world; the
number of requests is printed (``-s``) for the record.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models, transaction
from django.forms.models import InlineForeignKeyField
from django.test import Client, RequestFactory
from django.urls import reverse

from mentoring.admin_input import AdminInputGuardMixin
from tests.admin_scoping import conftest as scoping
from tests.hardening.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

# The two-program world of tests/admin_scoping (Alpha's program admin, a superuser).
_module_world = scoping._module_world
world = scoping.world

OK = {200, 302, 400, 403, 404}
HUGE = str(2**64)
LONG = "x" * 5000
FILTER_VALUES = ["0", "-1", HUGE, "a\x00b", LONG, "0000-00-00"]
SEARCHES = ["\x00", "a\x00b", "x" * 10_000, " ".join(["w"] * 1000), '"unbalanced', "%_\\", "🙂"]
ORDERINGS = ["\x00", HUGE, "-0", "1.-1.2", "x", "0.0.0", "-1.-1", "-" + HUGE, "1" * 400]
PAGES = ["-1", "0", HUGE, "abc", "\x00", "1e9"]
OTHER = [{"all": ""}, {"_to_field": "password"}, {"_to_field": "id"}, {"_popup": "1"}]
OTHER += [{"e": "1"}, {"_facets": "1"}, {"_changelist_filters": "\x00"}]
YEARS = ["0", "-1", "10000", HUGE, "\x00", "abc"]
HIERARCHY = [
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "1", "month": "1", "day": "1"},
    {"year": "2024", "month": "13"},
    {"year": "2024", "month": "0"},
    {"year": "2024", "month": "2", "day": "30"},
    {"year": "2024", "month": "\x00"},
    {"month": "1"},
]
COUNTS: Counter = Counter()


def _request(user, path="/admin/", data=None):
    request = RequestFactory().get(path, data or {})
    request.user = user
    return request


def _users(world):
    return [("superuser", world.superuser), ("program admin", world.alpha_admin)]


def _admins_for(user):
    request = _request(user)
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
    ):
        if model_admin.has_view_permission(request):
            yield model, model_admin


def _url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def _call(client, method, url, data, failures, label, kind, unchanged=None) -> object | None:
    """One request in a savepoint rolled back afterwards; a 5xx or an exception is a
    failure, and so is any change to the database when ``unchanged`` (a snapshot) is
    given."""
    COUNTS[kind] += 1
    sid = transaction.savepoint()
    try:
        response = getattr(client, method)(url, data)
    except Exception as error:  # the test client re-raises what would be a 500
        failures.append(f"{label}: {type(error).__name__}: {str(error)[:120]}")
        response = None
    else:
        if response.status_code not in OK:
            failures.append(f"{label}: {response.status_code}")
        elif unchanged is not None and db_snapshot() != unchanged:
            failures.append(f"{label}: the database changed")
    finally:
        transaction.savepoint_rollback(sid)
    return response


def test_every_registered_admin_guards_its_input():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AdminInputGuardMixin), model._meta.label


@pytest.mark.parametrize(
    "query",
    [
        {"submitted_at__year": "0"},  # the date hierarchy's year
        {"submitted_at__year": "9999", "submitted_at__month": "12"},  # its month ends in 10000
        {"submitted_at__year__gte": "0"},  # a year only checked when the SQL is built
        {"q": "a\x00b"},
        {"survey__id__exact": "\x00"},
    ],
    ids=lambda query: repr(query)[:40],
)
def test_a_year_0_or_a_nul_byte_on_a_change_list_is_its_usual_redirect(world, query):
    for user in (world.superuser, world.alpha_admin):
        client = Client()
        client.force_login(user)
        url = reverse("admin:surveys_surveyresponse_changelist")
        response = client.get(url, query)
        assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")


def test_a_nul_byte_in_an_autocomplete_finds_nothing_and_a_thousand_words_work(world):
    source = {"app_label": "mentoring", "model_name": "membership", "field_name": "user"}
    for user in (world.superuser, world.alpha_admin):
        client = Client()
        client.force_login(user)
        for term in ("\x00", "alpha\x00"):
            response = client.get(reverse("admin:autocomplete"), {**source, "term": term})
            assert (response.status_code, response.json()["results"]) == (200, []), term
        # Only the first ten words count (more would only narrow the result).
        many = " ".join(["mentor"] * 999 + ["nobody"])
        response = client.get(reverse("admin:autocomplete"), {**source, "term": many})
        assert response.status_code == 200 and response.json()["results"]
        found = client.get(reverse("admin:autocomplete"), {**source, "term": "alpha mentor"})
        assert [row["text"] for row in found.json()["results"]] == ["Alpha Mentor"]


# --- change lists -----------------------------------------------------------------------------


def _changelist_queries(model, model_admin, user) -> list[dict]:
    queries: list[dict] = []
    changelist = model_admin.get_changelist_instance(_request(user))
    for spec in changelist.filter_specs:
        for parameter in spec.expected_parameters():
            queries += [{parameter: value} for value in FILTER_VALUES]
    if hierarchy := model_admin.date_hierarchy:
        queries += [{f"{hierarchy}__year": year} for year in YEARS]
        queries += [{f"{hierarchy}__{k}": v for k, v in case.items()} for case in HIERARCHY]
    # Lookups on the model's own fields are allowed without a filter for them (the same
    # code for everyone: once, as the superuser).
    for field in model._meta.concrete_fields if user.is_superuser else ():
        if isinstance(field, models.DateField):  # DateTimeField too
            queries += [{f"{field.name}__year": year} for year in ("0", "10000", HUGE)]
            queries.append({f"{field.name}__date": "0000-00-00"})
        queries.append({f"{field.name}__exact": "a\x00b"})
    queries += [{"q": value} for value in SEARCHES]
    queries += [{"o": value} for value in ORDERINGS]
    queries += [{"p": value} for value in PAGES]
    queries += OTHER
    return queries


def _action_posts(model_admin, user) -> list[dict]:
    actions = list(model_admin.get_actions(_request(user)))
    selections = [["abc"], [HUGE], ["-1", "\x00", LONG]]  # no such objects
    return [
        {"action": action, ACTION_CHECKBOX_NAME: selected, "index": "0"}
        for action in actions
        for selected in selections
    ] + [{"action": "\x00", ACTION_CHECKBOX_NAME: ["1"], "index": "0"}, {"index": HUGE}]


def test_admin_change_lists_never_fail_on_fuzzed_parameters(world):
    failures = []
    for who, user in _users(world):
        client = Client()
        client.force_login(user)
        for model, model_admin in _admins_for(user):
            url = _url(model, "changelist")
            before = db_snapshot()
            for query in _changelist_queries(model, model_admin, user):
                label = f"{who} {url}?{urlencode(query)[:80]}"
                _call(client, "get", url, query, failures, label, "change list")
            if db_snapshot() != before:
                failures.append(f"{who} {url}: the database changed")
            for data in _action_posts(model_admin, user):
                label = f"{who} POST {url} {str(data)[:80]}"
                _call(client, "post", url, data, failures, label, "action", unchanged=before)
    assert not failures, "\n".join(failures)


# --- autocompletes ----------------------------------------------------------------------------


def _autocomplete_sources(user):
    """(app_label, model_name, field_name) of every autocomplete field the user can open,
    on admins and on their inlines."""
    request = _request(user)
    for model, model_admin in _admins_for(user):
        for field_name in model_admin.get_autocomplete_fields(request):
            yield model._meta.app_label, model._meta.model_name, field_name
        for inline in model_admin.get_inline_instances(request):
            for field_name in inline.get_autocomplete_fields(request):
                meta = inline.model._meta
                yield meta.app_label, meta.model_name, field_name


def test_admin_autocompletes_never_fail_on_fuzzed_terms(world):
    failures, sources = [], 0
    url = reverse("admin:autocomplete")
    for who, user in _users(world):
        client = Client()
        client.force_login(user)
        for app_label, model_name, field_name in _autocomplete_sources(user):
            sources += 1
            source = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
            cases = [{"term": term} for term in ["", *SEARCHES]]
            cases += [{"term": "a", "page": page} for page in PAGES]
            cases += [
                {"field_name": "\x00"},
                {"field_name": "password"},
                {"model_name": "\x00"},
                {"app_label": "no_such_app"},
                {"field_name": LONG},
            ]
            for case in cases:
                query = {**source, **case}
                label = f"{who} autocomplete {urlencode(query)[:100]}"
                _call(client, "get", url, query, failures, label, "autocomplete")
    assert sources >= 4  # memberships and program admins: user and program
    assert not failures, "\n".join(failures)


# --- change and add forms ---------------------------------------------------------------------


class _FormData(HTMLParser):
    """What a browser would send from the page's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name, value) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self._in_form = True
        if not self._in_form or not attrs.get("name"):
            if tag == "option" and self._select and "selected" in attrs:
                self._add(self._select, attrs.get("value", ""))
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _page_form(response) -> dict[str, list[str]]:
    parser = _FormData()
    parser.feed(response.content.decode())
    data = {name: values for name, values in parser.data.items() if not name.endswith("__prefix__")}
    # A select left empty sends nothing, as a browser would.
    return {name: values for name, values in data.items() if values}


def _edge_values(field: forms.Field) -> list[tuple[str, str]]:
    """(what, value) pairs at and beyond the edge of the field's type."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [("foreign id", "-1"), ("huge id", HUGE), ("NUL id", "\x00")]
    if isinstance(field, forms.ModelChoiceField):
        return [("foreign id", "-1"), ("huge id", HUGE), ("NUL id", "\x00"), ("text id", "abc")]
    if isinstance(field, forms.BooleanField):
        return [("checkbox with NUL", "\x00")]  # any value ticks a box
    if isinstance(field, forms.ChoiceField):
        return [("NUL", "\x00"), ("unknown", "no-such-choice"), ("long", LONG)]
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        values = ["-1", str(2**31), str(2**63), HUGE, "-" + HUGE, "1e400", "NaN", "1.5", "\x00"]
        return [(f"number {value[:12]!r}", value) for value in values]
    if isinstance(field, forms.DateTimeField | forms.DateField):
        values = ["0001-01-01", "9999-12-31", "10000-01-01", "2024-02-30", "\x00"]
        return [(f"date {value!r}", value) for value in values]
    if isinstance(field, forms.JSONField):
        return [("bad JSON", "{"), ("huge number", "1e400"), ("NUL", '"\\u0000"')]
    if isinstance(field, forms.CharField):
        if field.max_length is None:
            return [("long text", "x" * 100_001), ("NUL", "a\x00b")]
        return [("over-long", "x" * (field.max_length + 1)), ("NUL", "a\x00b")]
    return [("NUL", "\x00")]


def _split_edges(name: str) -> list[tuple[str, dict[str, str]]]:
    """A date and time entered in two boxes (the admin's split widget)."""
    cases = [
        ("0001-01-01", "00:00:00"),
        ("9999-12-31", "23:59:59"),
        ("10000-01-01", "00:00"),
        ("2024-02-30", "10:00"),
        ("2024-01-01", "25:61"),
        ("\x00", "\x00"),
    ]
    return [(f"split {d!r} {t!r}", {f"{name}_0": d, f"{name}_1": t}) for d, t in cases]


def _form_cases(response) -> list[tuple[str, dict[str, str]]]:
    """One case per field and edge value, on the main form and each inline's first row."""
    forms_on_page = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or []:
        forms_on_page += inline.formset.forms[:1]
    cases = []
    for form in forms_on_page:
        for name, field in form.fields.items():
            if field.disabled or isinstance(field, InlineForeignKeyField):
                continue  # Django ignores what is sent for them
            if form.prefix and name == form._meta.model._meta.pk.name:
                continue  # an inline row's own id: a foreign one is a formset error
            key = form.add_prefix(name)
            if isinstance(field, forms.SplitDateTimeField):
                cases += [(f"{key} {what}", values) for what, values in _split_edges(key)]
                continue
            cases += [(f"{key} {what}", {key: value}) for what, value in _edge_values(field)]
    return cases


def _must_refuse(what: str) -> bool:
    if what.endswith("checkbox with NUL"):
        return False
    return any(word in what for word in ("over-long", "NUL", "foreign id", "huge id"))


def test_admin_forms_refuse_over_long_and_edge_values_without_failing(world):
    failures = []
    for who, user in _users(world):
        client = Client()
        client.force_login(user)
        for model, model_admin in _admins_for(user):
            objects = model_admin.get_queryset(_request(user)).order_by("pk")
            obj = objects.first()
            if obj is None or not model_admin.has_change_permission(_request(user), obj):
                continue
            url = _url(model, "change", obj.pk)
            page = client.get(url)
            if page.status_code != 200 or "adminform" not in (page.context or {}):
                failures.append(f"{who} {url}: {page.status_code} on GET")
                continue
            valid = {**_page_form(page), "_save": ["Save"]}
            baseline = db_snapshot()
            for what, change in _form_cases(page):
                data = {**valid, **{key: [value] for key, value in change.items()}}
                label = f"{who} {url} {what}"
                sid = transaction.savepoint()
                COUNTS["change form"] += 1
                try:
                    response = client.post(url, data)
                except Exception as error:
                    failures.append(f"{label}: {type(error).__name__}: {str(error)[:120]}")
                    transaction.savepoint_rollback(sid)
                    continue
                refused = response.status_code != 302
                if response.status_code not in OK:
                    failures.append(f"{label}: {response.status_code}")
                elif refused and db_snapshot() != baseline:
                    failures.append(f"{label}: refused, yet the database changed")
                elif not refused and _must_refuse(what):
                    failures.append(f"{label}: accepted")
                transaction.savepoint_rollback(sid)
            if model_admin.has_add_permission(_request(user)):
                # The same values as a new object, and the add page's own empty form.
                add = _url(model, "add")
                _call(client, "get", add, {}, failures, f"{who} {add}", "add form")
                _call(client, "post", add, valid, failures, f"{who} {add} copy", "add form")
                _call(client, "post", add, {}, failures, f"{who} {add} empty", "add form")
    assert not failures, "\n".join(failures)


def test_zz_report_how_many_admin_requests_the_sweep_made():
    print(f"\nadmin sweep requests: {dict(COUNTS)}, total {sum(COUNTS.values())}")
