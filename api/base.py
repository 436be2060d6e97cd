"""What every endpoint shares: who may call, the problem bodies, and conditional reads."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework import serializers, viewsets

from api.access import Caller, caller_of


class ConditionalReadMixin:
    """``ETag`` on every successful read and ``304 Not Modified`` for a matching
    ``If-None-Match``: a poller that sees nothing new downloads nothing (the query still
    runs: the tag is the body's hash, so it can never go stale)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return get_conditional_response(request._request, etag=etag, response=response)


class ApiViewSet(ConditionalReadMixin, viewsets.GenericViewSet):
    lookup_value_converter = "int"  # ids are integers: typed in the schema, 404 otherwise

    @property
    def caller(self) -> Caller:
        return caller_of(self.request)


class IdField(serializers.IntegerField):
    """An object's id sent by a client: a positive 64-bit integer. A larger number is a
    400 ``invalid`` here, never a value the database cannot hold (SQLite raises on it)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


def filtered(
    rows: QuerySet, request, filters: type[serializers.Serializer], lookups: dict[str, str]
) -> tuple[QuerySet, dict]:
    """``rows`` narrowed by a list's query-string filters, read by the ``filters``
    serializer (a bad value is a 400 ``invalid``): ``lookups`` names the ORM lookup each
    filter stands for. Returns the rows and every value read, for filters of its own."""
    form = filters(data=request.query_params)
    form.is_valid(raise_exception=True)
    given = form.validated_data
    chosen = {
        lookups[name]: value
        for name, value in given.items()
        if name in lookups and value is not None
    }
    return rows.filter(**chosen), given


class PersonSerializer(serializers.Serializer):
    """A person as others see them: an id and the name they chose to show."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ProgramRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
