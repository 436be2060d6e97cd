import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from matching.models import Connection, ConnectionRequest, PreferredMentor
from tests.factories import ProgramFactory, UserFactory


class ConnectionFactory(DjangoModelFactory):
    class Meta:
        model = Connection

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    origin = Connection.Origin.ADMIN
    started_at = factory.LazyFunction(timezone.now)


class ConnectionRequestFactory(DjangoModelFactory):
    class Meta:
        model = ConnectionRequest

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    message = "Could you mentor me?"


class PreferredMentorFactory(DjangoModelFactory):
    class Meta:
        model = PreferredMentor

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    rank = factory.Sequence(lambda n: n + 1)
