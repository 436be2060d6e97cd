import pytest
from django.db import IntegrityError, transaction

from matching.models import MatchingSettings
from mentoring.models import Membership
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_program_gets_exactly_one_matching_settings():
    program = ProgramFactory()
    assert MatchingSettings.objects.filter(program=program).count() == 1
    program.save()
    assert MatchingSettings.objects.filter(program=program).count() == 1
    assert program.matching_settings.default_max_ongoing_mentees == 5


def test_a_person_may_be_mentor_and_mentee_but_not_twice_in_one_role():
    program = ProgramFactory()
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=Membership.Role.MENTOR)
    MembershipFactory(user=user, program=program, role=Membership.Role.MENTEE)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=user, program=program, role=Membership.Role.MENTOR)


def test_negative_mentor_limit_is_refused_by_the_database():
    membership = MembershipFactory(role=Membership.Role.MENTOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(max_ongoing_mentees=-1)


def test_emails_are_unique():
    UserFactory(username="a", email="same@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="b", email="same@example.org")
