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
