"""Writes for matching, one module per aggregate:

* ``settings``: a program's matching settings, with their change history;
* ``requests``: connection requests (the Connect button, the mentor's answer, expiry);
* ``connections``: connections made directly, and ended;
* ``extensions``: how long a connection runs (end date, extensions, the reminder and
  the end job);
* ``preferred``: a mentee's ranked list in Preferred Mentoring programs;
* ``participation``: a person's own terms in a program (modes, limits, pause, profile,
  goals), with their change history;
* ``pairs``: the lock and the limits every write about one mentor–mentee pair shares.

Callers import the services from here (``from matching import services``).
"""

from matching.services.connections import connection_create, connection_end
from matching.services.extensions import (
    connection_extend_by_admin,
    connection_extension_accept,
    connection_extension_decline,
    connection_extension_request,
    connection_extension_withdraw,
    connections_run_terms,
)
from matching.services.participation import (
    membership_check,
    membership_create,
    membership_update,
    pause_check,
)
from matching.services.preferred import (
    preferred_mentor_add,
    preferred_mentor_move,
    preferred_mentor_remove,
)
from matching.services.requests import (
    connection_request_accept,
    connection_request_create,
    connection_request_decline,
    connection_request_withdraw,
    connection_requests_expire,
)
from matching.services.settings import matching_settings_update

__all__ = [
    "connection_create",
    "connection_end",
    "connection_extend_by_admin",
    "connection_extension_accept",
    "connection_extension_decline",
    "connection_extension_request",
    "connection_extension_withdraw",
    "connection_request_accept",
    "connection_request_create",
    "connection_request_decline",
    "connection_request_withdraw",
    "connection_requests_expire",
    "connections_run_terms",
    "matching_settings_update",
    "membership_check",
    "membership_create",
    "membership_update",
    "pause_check",
    "preferred_mentor_add",
    "preferred_mentor_move",
    "preferred_mentor_remove",
]
