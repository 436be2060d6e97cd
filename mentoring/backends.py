"""Sign-in backend: Django's ``ModelBackend``, loading the signed-in person together
with the roles they hold in one statement (``queries.user_with_roles``), the one every
page already makes, so that the navigation follows the person's roles at no extra
query."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from mentoring import queries, rows


class ParticipantBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        if not rows.storable_id(user_id):
            return None
        user = queries.user_with_roles(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
