from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Role
from contacts.models import Contact, FollowUp, Phone
from contacts.selectors.access import contacts_for_user
from hubs.models import Hub
from reports.management.commands.seed_demo import DEMO_PASSWORD


def test_it_loads_a_user_per_role_hubs_and_people_with_valid_phones(db):
    out = StringIO()
    call_command("seed_demo", "--people", "40", stdout=out)
    users = get_user_model().objects.all()
    assert {u.role for u in users} == set(Role.values)
    assert all(u.check_password(DEMO_PASSWORD) for u in users)
    assert set(Hub.objects.values_list("kind", flat=True)) == {"neighborhood", "workplace"}
    assert Contact.objects.count() == 40
    assert Phone.objects.filter(e164__startswith="+1").count() == 40
    assert FollowUp.objects.exists()
    # Demo conversations count on the ladder: some people are above its first stage.
    assert Contact.objects.filter(ladder_stage__position__gt=0).exists()
    assert "organizer@demo.organizer.test" in out.getvalue()


def test_the_demo_organizer_sees_some_but_not_all_people(db):
    call_command("seed_demo", "--people", "60", stdout=StringIO())
    organizer = get_user_model().objects.get(email="organizer@demo.organizer.test")
    visible = contacts_for_user(organizer).count()
    assert 0 < visible < 60


def test_if_empty_leaves_an_existing_install_alone(db):
    call_command("seed_demo", "--people", "5", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert Contact.objects.count() == 5
    assert "nothing to do" in out.getvalue()
