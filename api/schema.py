"""The schema's shared parts: the problem-details body every refusal uses, declared once
and referenced by every operation, so clients (and the schema-driven tests) know the
shape of each 4xx."""

from __future__ import annotations

PROBLEM = {
    "type": "object",
    "description": "A refusal (RFC 9457 problem details) with a stable `code`.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "A sentence a person can read."},
        "code": {
            "type": "string",
            "description": "Stable, for programs: an eligibility or capacity reason code "
            "(`mentor_full`, `already_answered`…) or DRF's (`not_found`, `throttled`…).",
        },
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "For `invalid`: the messages for each field sent.",
            "additionalProperties": True,
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}

_REFUSALS = {
    "400": "The values sent are not valid (`invalid`) or a rule refused them.",
    "401": "No credentials, or an API key that is not valid.",
    "403": "Not allowed: a read-only key writing, a missing CSRF token, a rule of the program.",
    "404": "No such object among the ones you may see.",
    "405": "That method is not allowed here.",
    "406": "Only JSON is served.",
    "409": "The object's state or a rule refused the action (the `code` says which).",
    "415": "Only JSON bodies are read.",
    "429": "Too many requests for this key or person; `Retry-After` says when to retry.",
}


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status, description in _REFUSALS.items():
                if status == "415" and method in ("get", "head", "delete"):
                    continue
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
