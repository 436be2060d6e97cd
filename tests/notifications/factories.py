import factory
from factory.django import DjangoModelFactory

from notifications.models import Notification
from tests.factories import ProgramFactory, UserFactory


class NotificationFactory(DjangoModelFactory):
    """An outbox row written directly (no on-commit enqueue): for sweep/admin tests."""

    class Meta:
        model = Notification

    kind = "test_message"
    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda o: o.recipient.email)
    program = factory.SubFactory(ProgramFactory)
    context = factory.LazyFunction(lambda: {"message": "Hello from a test."})
    dedupe_key = factory.Sequence(lambda n: f"test-notification:{n}")


def aged_unsubscribe_token(*, user_id: int, kind: str, days: int) -> str:
    """An unsubscribe token signed as if ``days`` ago (older than 60: expired)."""
    import time

    from django.core import signing

    from notifications.tokens import SALT, make_token

    class AgedSigner(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - days * 86400)

    return make_token(user_id=user_id, kind=kind, signer=AgedSigner(salt=SALT))
