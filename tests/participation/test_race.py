"""A capacity change racing Connect clicks, on PostgreSQL: the participation service
locks the mentor's membership row — the row every Connect locks before it counts — so a
change and the requests are serialised and no request ever over-fills a slot.

Each run: a mentor with room for 2 and none used; one thread lowers the limit to 1 (as
the participation page does) while six mentees press Connect, all released together.
Whatever the order the database picks, every request was made within the limit in force
when it was made: at most 2 before the change, and none beyond 1 after it (a lower
limit keeps what was already there). Repeated, since one run sees one interleaving."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.urls import reverse

from matching.models import ConnectionRequest, MembershipChange
from mentoring.models import Membership
from tests.connections.conftest import configure
from tests.connections.test_race import logged_in, run_together
from tests.factories import MembershipFactory, MentorMembershipFactory, ProgramFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="race tests need PostgreSQL row locks and concurrent connections; "
        "set DATABASE_URL=postgres://… to run them",
    ),
]

MENTEES = 6


@pytest.mark.parametrize("run", range(8))
def test_lowering_capacity_while_mentees_connect_never_over_fills(run, capsys, racer_db):
    program = ProgramFactory(slug=f"race-{run}")
    configure(
        program,
        ongoing_enabled=True,
        preferred_mentoring_enabled=False,
        mentors_choose_modes=True,
        default_max_ongoing_mentees=3,
        max_pending_requests_per_mentee=3,
    )
    membership = MentorMembershipFactory(program=program, max_ongoing_mentees=2)
    mentees = [MembershipFactory(program=program).user for _ in range(MENTEES)]
    connect = reverse("portal:connect", args=[program.slug, membership.pk])
    clients = [logged_in(mentee) for mentee in mentees]
    mentor_client = logged_in(membership.user)  # as the page does, through the view
    change_url = reverse("portal:participation_mentor", args=[program.slug])

    def lower():
        response = mentor_client.post(
            change_url,
            {"modes": "both", "max_ongoing_mentees": "1", "max_flash_meetings_per_month": "4"},
        )
        return response.status_code

    def click(client, index):
        def job():
            # Spread the clicks more in later runs, so the change lands before, between
            # or after them (run 0: all at once).
            time.sleep(run * index * 0.004)
            return client.post(connect, {"message": "Could you mentor me?"}).status_code

        return job

    results = run_together([lower, *(click(c, i) for i, c in enumerate(clients))])

    assert all(isinstance(result, int) for result in results), results
    assert results[0] == 302  # the change is never refused for the requests
    assert set(results[1:]) <= {302, 409}, results
    change = MembershipChange.objects.get(membership=membership)
    requests = list(ConnectionRequest.objects.filter(mentor=membership.user))
    before = [r for r in requests if r.created_at < change.changed_at]
    after = [r for r in requests if r.created_at >= change.changed_at]
    assert len(before) <= 2, "over-filled under the old limit"
    assert not after or len(before) + len(after) <= 1, "a request beyond the new limit"
    assert results[1:].count(302) == len(requests)
    assert Membership.objects.get(pk=membership.pk).max_ongoing_mentees == 1
    racer_db.assert_routed(at_least=1 + MENTEES)
    with capsys.disabled():
        print(
            f"\n[participation race {run}, {racer_db.route}] requests before the change: "
            f"{len(before)}, after: {len(after)}, refused: {results[1:].count(409)}"
        )
