"""Text people wrote, as it goes into the plain-text part of an email.

A message, a note or a reason is printed as quoted lines: each line begins with "> ", so
nothing a person writes can pass for a line of the email itself (a link "from the
team", a fake signature, a blank line and then "Answer the request: https://…"). The
HTML part escapes it and keeps its line breaks (``linebreaksbr``) inside a blockquote.
Control characters other than the tab are dropped on the way.
"""

import re

from django import template

register = template.Library()

# C0 (but tab, LF, CR), DEL and C1: splitlines() would read some of them as line ends.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


@register.filter
def quoted(value) -> str:
    """``"first\\nsecond"`` → ``"> first\\n> second"``: every line of a person's text
    marked as theirs (CR/LF, CR, NEL and the Unicode line separators all end a line)."""
    text = _CONTROL.sub("", str(value if value is not None else ""))
    lines = text.splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines)
