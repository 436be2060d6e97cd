import factory
from factory.django import DjangoModelFactory

from mentoring.models import Membership, Program, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.Faker("name")
    time_zone = "UTC"
    # As after a first sign-in (mentoring.services.user_language_remember); blank is a
    # person who has never signed in nor chosen.
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Membership.Role.MENTEE


class MentorMembershipFactory(MembershipFactory):
    role = Membership.Role.MENTOR
    headline = "Mentor"
    expertise = "python, careers"


def mentor(program: Program, **kwargs) -> User:
    return MentorMembershipFactory(program=program, **kwargs).user


def mentee(program: Program, **kwargs) -> User:
    return MembershipFactory(program=program, role=Membership.Role.MENTEE, **kwargs).user
