"""A small reader of GNU gettext .po files, enough for the catalogue tests: entries with
their context, plural and flags, and the obsolete ones (``#~``) counted apart."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # {0: ...} or {0: ..., 1: ...}
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def describe(self) -> str:
        text = f"msgid {self.msgid!r}"
        if self.msgctxt is not None:
            text = f"msgctxt {self.msgctxt!r} {text}"
        if self.msgid_plural is not None:
            text += f" / msgid_plural {self.msgid_plural!r}"
        where = " ".join(self.references[:3])
        return f"{text}{f' ({where})' if where else ''}"


@dataclass
class Catalogue:
    path: Path
    header: dict[str, str]
    entries: list[Entry]  # without the header, obsolete ones included

    @property
    def live(self) -> dict[tuple[str | None, str], Entry]:
        return {entry.key: entry for entry in self.entries if not entry.obsolete}

    @property
    def nplurals(self) -> int:
        match = re.search(r"nplurals\s*=\s*(\d+)", self.header.get("Plural-Forms", ""))
        return int(match.group(1)) if match else 2


KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _string(literal: str) -> str:
    # A .po string is a C string; Python's literal syntax reads the escapes .po files use.
    return ast.literal_eval(literal)


def read(path: Path) -> Catalogue:
    return parse(path.read_text(encoding="utf-8"), path)


def parse(text: str, path: Path) -> Catalogue:
    entries: list[Entry] = []
    current: Entry | None = None
    pending_flags: set[str] = set()
    pending_refs: list[str] = []
    last: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in text.splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # a previous msgid of an obsolete entry
                continue
        elif line.startswith("#"):
            if current is not None and last is not None and last[0] == "msgstr":
                finish()
            if line.startswith("#,"):
                pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                pending_refs += line[2:].split()
            continue
        if not line:
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            value = _string(literal)
            if keyword in ("msgctxt", "msgid") and (
                current is None or (last is not None and last[0] == "msgstr")
            ):
                finish()
                current = Entry(msgid="", flags=pending_flags, references=pending_refs)
                current.obsolete = obsolete
                pending_flags, pending_refs = set(), []
            assert current is not None, f"{path}: {raw!r} outside an entry"
            if keyword == "msgctxt":
                current.msgctxt = value
                last = ("msgctxt", None)
            elif keyword == "msgid":
                current.msgid = value
                last = ("msgid", None)
            elif keyword == "msgid_plural":
                current.msgid_plural = value
                last = ("msgid_plural", None)
            else:
                number = int(index) if index is not None else 0
                current.msgstr[number] = value
                last = ("msgstr", number)
            current.obsolete = current.obsolete or obsolete
        elif line.startswith('"') and current is not None and last is not None:
            value = _string(line)
            kind, number = last
            if kind == "msgstr":
                current.msgstr[number] += value
            else:
                setattr(current, kind, getattr(current, kind) + value)
        else:
            raise ValueError(f"{path}: cannot read {raw!r}")
    finish()

    header: dict[str, str] = {}
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None:
        for row in entries.pop(0).msgstr.get(0, "").splitlines():
            name, _, value = row.partition(":")
            header[name.strip()] = value.strip()
    return Catalogue(path=path, header=header, entries=entries)


# --- The checks: each returns what is wrong, one line per entry -----------------------------


def untranslated(code: Catalogue, catalogue: Catalogue) -> list[str]:
    """Messages of the code (``code``: a fresh extraction) that ``catalogue`` lacks, or
    holds with another plural, fuzzy, or with no translation."""
    committed = catalogue.live
    problems = []
    for key, entry in code.live.items():
        found = committed.get(key)
        if found is None:
            problems.append(f"missing: {entry.describe()}")
        elif found.msgid_plural != entry.msgid_plural:
            problems.append(f"plural changed to {entry.msgid_plural!r}: {found.describe()}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {found.describe()}")
        elif not any(found.msgstr.values()):
            problems.append(f"not translated: {found.describe()}")
    return problems


def stale(code: Catalogue, catalogue: Catalogue) -> list[str]:
    """Obsolete (#~) entries of ``catalogue``, and the ones the code no longer has."""
    problems = []
    for entry in catalogue.entries:
        if entry.obsolete:
            problems.append(f"obsolete (#~): {entry.describe()}")
        elif entry.key not in code.live:
            problems.append(f"no longer in the code: {entry.describe()}")
    return problems


def plural_gaps(catalogue: Catalogue) -> list[str]:
    """Plural entries without every form of the header's nplurals, each filled."""
    forms = set(range(catalogue.nplurals))
    problems = []
    for entry in catalogue.live.values():
        if entry.msgid_plural is None:
            continue
        filled = {number for number, text in entry.msgstr.items() if text}
        if set(entry.msgstr) != forms or filled != forms:
            problems.append(
                f"plural forms {sorted(filled)} of {sorted(forms)} "
                f"(nplurals={catalogue.nplurals}): {entry.describe()}"
            )
    return problems


# %(name)s, %s, %d…; not %% and not "50% of" (a space is no conversion flag here).
PERCENT = re.compile(r"%%|%(?:\([A-Za-z_]\w*\))?[-#0+]?\d*(?:\.\d+)?[sdifrxXeEgGc]")
# {name}, {0}, {}, {name!r:>4}; not {{ or }}.
BRACES = re.compile(r"\{\{|\}\}|\{[A-Za-z_]\w*(?:\.\w+|\[\w+\])*(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}")


def placeholders(text: str) -> Counter:
    found = [m for m in PERCENT.findall(text) if m != "%%"]
    found += [m for m in BRACES.findall(text) if m not in ("{{", "}}")]
    return Counter(found)


def placeholder_changes(catalogue: Catalogue) -> list[str]:
    """Translations whose placeholders differ from their English ones. A plural form may
    leave out a placeholder only one English form has (the count of "one session"); it
    adds none and drops none that both share."""
    problems = []
    for entry in catalogue.live.values():
        if entry.msgid_plural is None:
            translated = entry.msgstr.get(0, "")
            if translated and placeholders(translated) != placeholders(entry.msgid):
                problems.append(
                    f"{sorted(placeholders(translated).elements())} instead of "
                    f"{sorted(placeholders(entry.msgid).elements())}: {entry.describe()}"
                )
            continue
        singular, plural = placeholders(entry.msgid), placeholders(entry.msgid_plural)
        allowed, required = set(singular) | set(plural), set(singular) & set(plural)
        for number, translated in sorted(entry.msgstr.items()):
            have = set(placeholders(translated))
            if translated and not (required <= have <= allowed):
                problems.append(
                    f"msgstr[{number}] has {sorted(have)}, English {sorted(allowed)}: "
                    f"{entry.describe()}"
                )
    return problems
