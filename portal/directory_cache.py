"""The mentor directory's order, cached.

Sorting a program's mentors by name joins every mentor to its user and sorts them all,
on every page view: with a thousand mentors that was most of the directory's time
(bench/). The *order* of the directory changes only when people, memberships or the
program's settings change, so it is cached as a list of membership ids per program,
search and settings version, for ``TTL`` seconds at most; a page then loads its twenty
rows by primary key, with live slot counts. Saving a membership or a user (other than
a sign-in stamp) starts a new generation, so this process sees the change at once and
other processes within ``TTL``.

What a card *says* is never cached: ``matching.selectors.directory_cards`` reads each
row fresh and checks it again (still an active mentor of the program, offering a mode
the program runs), and works out paused / full / one-time only from the live row and
counts. So on every process a mentor deactivated or switched to modes the program does
not run drops out of the page, and a paused or full one says so, on the next request.
Only the order (and a name or topic search) can be up to ``TTL`` old on other processes:
a new mentor may appear there a minute late, and a page may then hold fewer cards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from mentoring.models import Membership, User

TTL = 60
CHUNK = 100  # ids per cache entry: five directory pages
_GENERATION_KEY = "mentor-directory:generation"
_SIGN_IN_FIELDS = frozenset({"last_login", "password"})


def _generation() -> int:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(_GENERATION_KEY, generation, timeout=None)
    return generation


def new_generation() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(_GENERATION_KEY, 2, timeout=None)


def ordered_ids(
    *, key_parts: tuple, build: Callable[[], QuerySet[Membership]], around: int = 0
) -> Sequence[int]:
    """The ids the queryset from ``build()`` lists, in its order, from the cache when
    possible (``build`` is only called on a miss: even building it costs time).

    The order is cached in chunks of ``CHUNK`` ids beside its length, each entry with
    the generation it was built in (an entry of an older generation is a miss), and
    read lazily: a page reads the one or two chunks it shows, so the cost of a page
    stays the same however many mentors a program has (reading the whole order cost
    the directory 1.1-1.2 ms per request at 10,000 mentors, against 0.7-1.0 at 1,000;
    now 0.7-0.8 at both). The
    generation, the length and the chunk holding index ``around`` (where the caller
    will slice from: the page's first id) come back in one round trip to the cache."""
    digest = hashlib.sha256(repr(key_parts).encode()).hexdigest()[:32]
    base = f"mentor-directory:{digest}"
    first = max(around, 0) // CHUNK
    found = cache.get_many([_GENERATION_KEY, f"{base}:length", f"{base}:{first}"])
    generation = found.get(_GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(_GENERATION_KEY, generation, timeout=None)
    order = CachedOrder(base=base, generation=generation, build=build)
    length = found.get(f"{base}:length")
    if length is None or length[0] != generation:
        order.rebuild()
    else:
        order.length = length[1]
        order.take({first: found.get(f"{base}:{first}")})
    return order


class CachedOrder(Sequence[int]):
    """A program's directory order as cached: its length, and its chunks read from the
    cache when a slice needs them. Any chunk missing or of another generation (evicted,
    or written by another process after a change) rebuilds the whole order once."""

    def __init__(self, *, base: str, generation: int, build: Callable[[], QuerySet]) -> None:
        self.base = base
        self.generation = generation
        self.build = build
        self.length = 0
        self.chunks: dict[int, list[int]] = {}
        self.ids: list[int] | None = None  # the whole order, once rebuilt here

    def rebuild(self) -> None:
        ids = list(self.build().values_list("pk", flat=True))
        entries = {f"{self.base}:length": (self.generation, len(ids))}
        for start in range(0, len(ids), CHUNK):
            entries[f"{self.base}:{start // CHUNK}"] = (self.generation, ids[start : start + CHUNK])
        cache.set_many(entries, timeout=TTL)
        self.ids, self.length = ids, len(ids)

    def take(self, entries: dict[int, tuple[int, list[int]] | None]) -> bool:
        """Keep the entries of this generation; False if any is missing or stale."""
        fresh = True
        for number, entry in entries.items():
            if entry is not None and entry[0] == self.generation:
                self.chunks[number] = entry[1]
            else:
                fresh = False
        return fresh

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):  # type: ignore[override]
        if not isinstance(index, slice):
            if index < 0:
                index += self.length
            if not 0 <= index < self.length:
                raise IndexError("directory order index out of range")
            return self[index : index + 1][0]
        start, stop, step = index.indices(self.length)
        if step != 1:
            return list(self[start:stop])[::step]
        if self.ids is None and stop > start:
            numbers = range(start // CHUNK, (stop - 1) // CHUNK + 1)
            missing = [number for number in numbers if number not in self.chunks]
            if missing:
                found = cache.get_many([f"{self.base}:{number}" for number in missing])
                if not self.take({n: found.get(f"{self.base}:{n}") for n in missing}):
                    self.rebuild()
        if self.ids is not None:
            return self.ids[start:stop]
        if stop <= start:
            return []
        first = start // CHUNK
        ids = [pk for number in range(first, (stop - 1) // CHUNK + 1) for pk in self.chunks[number]]
        return ids[start - first * CHUNK : stop - first * CHUNK]


@receiver(post_save, sender=Membership, dispatch_uid="directory_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="directory_membership_deleted")
def _membership_changed(sender, **kwargs) -> None:
    new_generation()


@receiver(post_save, sender=User, dispatch_uid="directory_user_saved")
@receiver(post_delete, sender=User, dispatch_uid="directory_user_deleted")
def _user_changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= _SIGN_IN_FIELDS:
        return  # signing in changes nothing the directory shows
    new_generation()
