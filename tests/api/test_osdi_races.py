"""The signup helper under real transactions: two scripts sending the same new person at once
make one person (the advisory locks on the email and phone), and an update takes its row lock."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from api.services.osdi import parse_person, person_signup
from contacts.models import Contact
from contacts.selectors.access import contacts_for_user


@pytest.mark.django_db(transaction=True)
def test_two_signups_of_the_same_new_person_at_once_make_one_person(cast):
    data = {"given_name": "Rosa", "email_addresses": [{"address": "rosa@example.org"}]}
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            results.append(
                person_signup(
                    by=cast.staff, scope=contacts_for_user(cast.staff), data=parse_person(data)
                )
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert Contact.objects.filter(emails__address="rosa@example.org").count() == 1
    assert sorted(created for _c, created in results) == [False, True]


@pytest.mark.django_db(transaction=True)
def test_an_update_through_the_helper_commits_with_its_history(cast):
    from tests.factories import EmailFactory

    EmailFactory(contact=cast.person_b, address="bo@example.org")
    data = parse_person({"given_name": "Bob", "email_addresses": ["bo@example.org"]})
    contact, created = person_signup(
        by=cast.organizer_b, scope=contacts_for_user(cast.organizer_b), data=data
    )
    assert not created and contact.pk == cast.person_b.pk
    cast.person_b.refresh_from_db()
    assert cast.person_b.first_name == "Bob"
    assert cast.person_b.events.filter(kind="edited").exists()
