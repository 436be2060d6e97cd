"""Finds text a person reads that does not go through gettext (issue 20).

Two readers, both deliberately narrow, so that what they flag is text a person reads:

Templates (``templates_findings``): the words of text nodes, once template tags and
variables, ``{# #}``/``{% comment %}`` comments, ``{% translate %}`` and the whole of every
``{% blocktranslate %}`` are taken out, HTML tags, comments, ``<script>`` and ``<style>``
are skipped and entities decoded; the attributes people read (``READ_ATTRIBUTES``, the
``value`` of submit, reset and button inputs, and ``data-*`` attributes a script shows:
``SHOWN_DATA``); and the literal arguments of the
filters that print them (``default``, ``default_if_none``, ``yesno``). Text counts when
it holds a letter: symbols, digits and punctuation ("·", "—", "→", "%") are no words.

Python (``python_findings``): string literals and f-strings passed *directly*, not
through gettext and friends (``TRANSLATORS``), to the places that show them:

- ``django.contrib.messages`` (success, error, info, warning, debug, add_message) and
  admin's ``message_user``;
- ``ValidationError`` (Django's and DRF's: the message, or the values of a dict or list of
  them), a form's ``add_error(field, ...)``;
- fields of forms and models (not serializer fields, DRF's or ``api.base``'s: their label
  and help text only reach the OpenAPI schema, which is for developers): ``label``, ``help_text``,
  ``verbose_name`` (a model field's first positional argument too), ``empty_label``,
  ``error_messages`` values, ``choices`` labels, and a widget's ``attrs`` people read
  (``placeholder``, ``title``, ``aria-label``…);
- ``label``, ``help_text``, ``empty_label`` and ``why_always`` given to any other call
  (widgets, ``NotificationKind``: the email preferences page);
- ``label``, ``help_text``, ``empty_label`` set on a field (``form.fields["x"].label = ...``);
- class attributes: ``verbose_name`` / ``verbose_name_plural`` (Meta, AppConfig), a
  ModelForm Meta's ``labels`` and ``help_texts``,
  ``short_description``, ``empty_value_display``, the admin site's titles, a list filter's
  ``title``, ``fieldsets`` titles, ``error_messages`` / ``default_error_messages``, a
  permission's ``message``, an API exception's ``default_detail``, and the labels of
  ``TextChoices`` / ``IntegerChoices`` members (a member without one is flagged too: Django
  makes its label of the member's name, in English);
- ``@admin.display(description=..., empty_value=...)``, ``@admin.action(description=...)``
  and the literal text an ``@admin.display`` method returns;
- email: ``EmailMessage`` / ``EmailMultiAlternatives`` subject and body, ``send_mail``
  subject and message;
- ``HttpResponse`` and its subclasses given text (not with a JSON, calendar or metrics
  content type: machines read those);
- the project's refusals: any subclass of ``mentoring.errors.DomainError`` (found in the
  code), ``api.problems.problem(detail=...)``, and ``PermissionDenied`` / ``Http404`` /
  DRF's ``NotFound``, ``ParseError``, ``AuthenticationFailed``, ``NotAuthenticated``.

Out of scope by rule (developer text): logging, ``assert``, exceptions for programmers
(``ImproperlyConfigured``, ``ValueError``, ``NotificationKindError``…), management
commands (``*/management/``: output to a terminal), migrations, tests, export column
ids, and a literal that reaches a sink through a variable (only direct arguments are
read, and one level of helper: a literal given to a function of the same module that
passes that parameter straight to a sink, like ``_act(request, meeting, action, "Done")``).
"""

from __future__ import annotations

import ast
import html.parser
import re
from dataclasses import dataclass
from pathlib import Path

from django.template.base import Lexer, TokenType

LETTER = re.compile(r"[^\W\d_]")

# Text that holds a letter yet is no word to translate. Exact, whitespace collapsed.
ALLOWED_TEXT: dict[str, str] = {
    "×": "the close sign of a dialog (a symbol; its aria-label is translated)",
}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.text!r}"


def is_words(text: str) -> bool:
    text = " ".join(text.split())
    return bool(LETTER.search(text)) and text not in ALLOWED_TEXT


# In a Python literal: its HTML tags and its placeholders ({}, {name}, %s, %(name)s).
MARKUP = re.compile(r"<[^<>]*>|\{[^{}]*\}|%(?:\([^)]*\))?[-#0+ ]*\d*(?:\.\d+)?[sdifr]")


def is_literal_words(text: str) -> bool:
    return is_words(MARKUP.sub(" ", text))


# --- Templates ----------------------------------------------------------------------------

READ_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
}
# data-* attributes a script shows (data-about-label on the API docs page).
SHOWN_DATA = re.compile(r"^data-.*(label|title|text|message|confirm|placeholder)")
SHOWN_INPUT_TYPES = {"submit", "reset", "button"}
SKIPPED_ELEMENTS = {"script", "style"}
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TRANSLATE = {"blocktranslate", "blocktrans"}
SHOWN_FILTERS = re.compile(r"\|\s*(default|default_if_none|yesno)\s*:\s*(\"[^\"]*\"|'[^']*')")


class _Page(html.parser.HTMLParser):
    def __init__(self, path: str, findings: list[Finding]) -> None:
        super().__init__(convert_charrefs=True)
        self.path, self.findings, self.skipping = path, findings, []

    def _found(self, kind: str, text: str) -> None:
        self.findings.append(Finding(self.path, self.getpos()[0], kind, " ".join(text.split())))

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        values = dict(attrs)
        for name, value in attrs:
            shown = (
                name in READ_ATTRIBUTES
                or SHOWN_DATA.match(name)
                or (
                    name == "value"
                    and tag == "input"
                    and (values.get("type") or "").lower() in SHOWN_INPUT_TYPES
                )
            )
            if shown and value and is_words(value):
                self._found(f"<{tag} {name}>", value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.pop()

    def handle_endtag(self, tag):
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()

    def handle_data(self, data):
        if self.skipping:
            return
        # One finding per line (an email's .txt is one long text node).
        for offset, line in enumerate(data.split("\n")):
            if is_words(line):
                self.findings.append(
                    Finding(self.path, self.getpos()[0] + offset, "text", " ".join(line.split()))
                )


def _blank(text: str) -> str:
    """A token taken out: a space, keeping its line breaks (findings keep their line)."""
    return " " + "\n" * text.count("\n")


def template_findings(source: str, path: str) -> list[Finding]:
    findings: list[Finding] = []
    kept: list[str] = []
    closing: str | None = None  # the end tag of the block being skipped
    for token in Lexer(source).tokenize():
        words = token.split_contents() if token.token_type == TokenType.BLOCK else []
        name = words[0] if words else ""
        if closing is not None:
            if name == closing:
                closing = None
            kept.append(_blank(token.contents))
            continue
        if token.token_type == TokenType.TEXT:
            kept.append(token.contents)
            continue
        if name in BLOCK_TRANSLATE:
            closing = "end" + name
        elif name == "comment":
            closing = "endcomment"
        elif name == "verbatim":
            closing = "endverbatim"
        elif token.token_type == TokenType.VAR:
            for match in SHOWN_FILTERS.finditer("|" + token.contents.split("|", 1)[-1]):
                if is_words(match.group(2)[1:-1]):
                    findings.append(
                        Finding(path, token.lineno, f"|{match.group(1)} argument", match.group(2))
                    )
        kept.append(_blank(token.contents))
    page = _Page(path, findings)
    page.feed("".join(kept))
    page.close()
    return sorted(findings)


# --- Python -------------------------------------------------------------------------------

TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Calls whose first argument is the text they return.
WRAPPERS = {"format_html", "format_lazy", "mark_safe", "escape", "str", "conditional_escape"}
MESSAGE_LEVELS = {"success", "error", "info", "warning", "debug"}
RELATED_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey"}
FIELD_TEXT = {"label", "help_text", "verbose_name", "empty_label"}
CLASS_TEXT = {
    "verbose_name",
    "verbose_name_plural",
    "short_description",
    "empty_value_display",
    "site_header",
    "site_title",
    "index_title",
    "default_detail",
}
# Set on an object: ``form.fields["x"].label = ...``, ``admin.site.site_header = ...``.
ATTRIBUTE_TEXT = {
    "short_description",
    "site_header",
    "site_title",
    "index_title",
    "label",
    "help_text",
    "empty_label",
}
REFUSALS = {
    "PermissionDenied",
    "Http404",
    "NotFound",
    "ParseError",
    "AuthenticationFailed",
    "NotAuthenticated",
}
EMAILS = {"EmailMessage": ("subject", "body"), "EmailMultiAlternatives": ("subject", "body")}
# Where the API's serializer fields come from (DRF, and api.base's own IdField...).
SERIALIZER_MODULES = ("rest_framework", "api.base")
MACHINE_CONTENT = re.compile(r"json|calendar|metrics|openmetrics|prometheus|csv")


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def _base(node: ast.AST) -> str:
    """``forms`` in ``forms.CharField``; '' for a bare name."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id
    return ""


def _text(node: ast.AST | None) -> list[tuple[int, str]]:
    """The untranslated literal text an expression is made of, if any."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and is_literal_words(node.value):
            return [(node.lineno, node.value)]
        return []
    if isinstance(node, ast.JoinedStr):
        parts = [value.value if isinstance(value, ast.Constant) else "{…}" for value in node.values]
        text = "".join(str(part) for part in parts)
        return [(node.lineno, text)] if is_literal_words(text) else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _text(node.left) + _text(node.right)
    if isinstance(node, ast.IfExp):
        return _text(node.body) + _text(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [found for value in node.values for found in _text(value)]
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in TRANSLATORS:
            return []
        if name == "format" and isinstance(node.func, ast.Attribute):
            return _text(node.func.value)
        if name in WRAPPERS and node.args:
            return _text(node.args[0])
    return []


def _argument(call: ast.Call, position: int, *keywords: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[position]
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _values(node: ast.AST | None) -> list[ast.AST]:
    if isinstance(node, ast.Dict):
        return [value for value in node.values if value is not None]
    return []


def _choice_labels(node: ast.AST | None) -> list[ast.AST]:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    labels = []
    for choice in node.elts:
        if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
            value, label = choice.elts
            if isinstance(label, (ast.List, ast.Tuple)):  # a named group
                labels.append(value)
                labels += _choice_labels(label)
            else:
                labels.append(label)
    return labels


def domain_errors(trees: dict[str, ast.Module]) -> set[str]:
    """The names of DomainError and of every class that derives from it in the code."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(_name(base) for base in node.bases)
    known = {"DomainError"}
    while True:
        more = {name for name, parents in bases.items() if parents & known} - known
        if not more:
            return known
        known |= more


class _Module(ast.NodeVisitor):
    def __init__(self, path: str, refusals: set[str]) -> None:
        self.path, self.refusals = path, refusals
        self.findings: list[Finding] = []
        self.drf_names: set[str] = set()  # names imported from rest_framework
        self.functions: list[ast.FunctionDef] = []  # the ones being read, innermost last
        # Helpers of this module that pass a parameter straight to a sink:
        # {function name: {parameter: (position in a call, kind)}}.
        self.relays: dict[str, dict[str, tuple[int, str]]] = {}

    def _flag(self, kind: str, node: ast.AST | None) -> None:
        for line, text in _text(node):
            self.findings.append(Finding(self.path, line, kind, text))
        if isinstance(node, ast.Name) and self.functions:
            function = self.functions[-1]
            parameters = [a.arg for a in function.args.posonlyargs + function.args.args]
            if parameters and parameters[0] in ("self", "cls"):
                parameters = parameters[1:]  # called as self.helper(...)
            keyword_only = [a.arg for a in function.args.kwonlyargs]
            if node.id in parameters or node.id in keyword_only:
                position = parameters.index(node.id) if node.id in parameters else -1
                relay = self.relays.setdefault(function.name, {})
                relay[node.id] = (position, f"{kind} (through {function.name})")

    def relayed(self, tree: ast.Module) -> None:
        """Literals given to a helper of the module that shows them (``_act(..., "Saved")``
        when ``_act`` passes its parameter to messages.success): one level, by name."""
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _name(call.func) not in self.relays:
                continue
            for parameter, (position, kind) in self.relays[_name(call.func)].items():
                self._flag(kind, _argument(call, position, parameter) if position >= 0 else None)
                if position < 0:
                    self._flag(kind, _keyword(call, parameter))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").startswith(SERIALIZER_MODULES):
            self.drf_names |= {alias.asname or alias.name for alias in node.names}

    def _is_serializer_field(self, func: ast.AST) -> bool:
        return _base(func) == "serializers" or (
            isinstance(func, ast.Name) and func.id in self.drf_names
        )

    def visit_Call(self, node: ast.Call) -> None:
        name, base, func = _name(node.func), _base(node.func), node.func
        if name in MESSAGE_LEVELS and base == "messages":
            self._flag(f"messages.{name}", _argument(node, 1, "message"))
        elif name == "add_message" and base == "messages":
            self._flag("messages.add_message", _argument(node, 2, "message"))
        elif name == "message_user":
            self._flag("message_user", _argument(node, 1, "message"))
        elif name == "ValidationError":
            message = _argument(node, 0, "message", "detail")
            self._flag("ValidationError", message)
            for value in _values(message) + list(getattr(message, "elts", [])):
                self._flag("ValidationError", value)
        elif name == "add_error":
            self._flag("add_error", _argument(node, 1, "error"))
        elif name in self.refusals or name in REFUSALS:
            self._flag(f"{name}(...)", _argument(node, 0, "message", "detail"))
        elif name == "problem":
            self._flag("problem detail", _keyword(node, "detail"))
        elif name in ("display", "action") and base in ("admin", ""):
            self._flag(f"admin.{name} description", _keyword(node, "description"))
            self._flag(f"admin.{name} empty_value", _keyword(node, "empty_value"))
        elif name in EMAILS:
            subject, body = EMAILS[name]
            self._flag(f"{name} subject", _argument(node, 0, subject))
            self._flag(f"{name} body", _argument(node, 1, body))
        elif name == "send_mail":
            self._flag("send_mail subject", _argument(node, 0, "subject"))
            self._flag("send_mail message", _argument(node, 1, "message"))
            self._flag("send_mail html_message", _keyword(node, "html_message"))
        elif name.startswith("HttpResponse") and not name.endswith(("Redirect", "NotAllowed")):
            content_type = _keyword(node, "content_type")
            machine = isinstance(content_type, ast.Constant) and MACHINE_CONTENT.search(
                str(content_type.value)
            )
            if content_type is None or not machine:
                self._flag(name, _argument(node, 0, "content"))
        elif (name.endswith("Field") or name in RELATED_FIELDS) and not self._is_serializer_field(
            func
        ):
            for keyword in FIELD_TEXT:
                self._flag(f"{name} {keyword}", _keyword(node, keyword))
            for value in _values(_keyword(node, "error_messages")):
                self._flag(f"{name} error_messages", value)
            for label in _choice_labels(_keyword(node, "choices")):
                self._flag(f"{name} choices", label)
            if base == "models" and name not in RELATED_FIELDS and node.args:
                self._flag(f"{name} verbose_name", node.args[0])
        if not name.endswith("Field") and not self._is_serializer_field(func):
            # Any other call that names text people read: widgets, notification kinds
            # (label, why_always: the email preferences page)...
            for keyword in ("label", "help_text", "empty_label", "why_always"):
                self._flag(f"{name} {keyword}", _keyword(node, keyword))
        attrs = _keyword(node, "attrs")
        if isinstance(attrs, ast.Dict):
            for key, value in zip(attrs.keys, attrs.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in READ_ATTRIBUTES:
                    self._flag(f"widget attrs {key.value}", value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in ATTRIBUTE_TEXT:
                self._flag(target.attr, node.value)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {_name(base) for base in node.bases}
        assigned = {
            target.id: statement.value
            for statement in node.body
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Name)
        }
        for attribute, value in assigned.items():
            if attribute in CLASS_TEXT:
                self._flag(attribute, value)
            elif attribute in ("error_messages", "default_error_messages", "labels", "help_texts"):
                for message in _values(value):  # ModelForm Meta's are per field: one level more
                    for text in _values(message) or [message]:
                        self._flag(attribute, text)
            elif attribute == "fieldsets" and isinstance(value, (ast.List, ast.Tuple)):
                for fieldset in value.elts:
                    if isinstance(fieldset, ast.Tuple) and fieldset.elts:
                        self._flag("fieldset title", fieldset.elts[0])
            elif attribute == "title" and (
                "parameter_name" in assigned or any("ListFilter" in b for b in bases)
            ):
                self._flag("list filter title", value)
            elif attribute == "message" and any("Permission" in b for b in bases):
                self._flag("permission message", value)
        if any(b.endswith("Choices") for b in bases):
            for attribute, value in assigned.items():
                if not attribute.isupper():
                    continue
                if isinstance(value, ast.Tuple) and len(value.elts) > 1:
                    self._flag(f"{node.name}.{attribute} label", value.elts[-1])
                elif isinstance(value, ast.Constant):  # Django makes one of the name: English
                    self.findings.append(
                        Finding(self.path, value.lineno, f"{node.name}.{attribute}", "no label")
                    )
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if any(_name(d) == "display" for d in node.decorator_list):
            for child in ast.walk(node):
                if isinstance(child, ast.Return):
                    self._flag("admin.display result", child.value)
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef


def python_findings(source: str, path: str, refusals: set[str] | None = None) -> list[Finding]:
    tree = ast.parse(source, filename=path)
    module = _Module(path, refusals if refusals is not None else domain_errors({path: tree}))
    module.visit(tree)
    module.relayed(tree)
    return sorted(set(module.findings))


# --- The project --------------------------------------------------------------------------


def project_templates(root: Path) -> list[Path]:
    folders = [root / "templates", *root.glob("*/templates")]
    return sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix in (".html", ".txt")
    )


def project_modules(root: Path) -> list[Path]:
    packages = [
        path.parent
        for path in root.glob("*/__init__.py")
        if path.parent.name not in ("tests", "bench") and not path.parent.name.startswith(".")
    ]
    return sorted(
        path
        for package in packages
        for path in package.rglob("*.py")
        if not {"migrations", "management", "tests"} & set(path.relative_to(root).parts)
    )
