"""Tags (issue #9, finding 8): the People filter lists only tags on people the user may see
(every tag for staff); a person carries a bounded number of tags of bounded length, with a
clear message past either bound."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact, Tag
from contacts.services.people import MAX_TAG_LENGTH, MAX_TAGS_PER_PERSON
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags(cast):
    ours = Tag.objects.create(name="potluck-host")
    theirs = Tag.objects.create(name="undocumented-worker")
    cast.person_a.tags.add(ours)
    cast.person_b.tags.add(theirs)
    mine = ContactFactory(owner=cast.volunteer_a)
    mine.tags.add(Tag.objects.create(name="my-neighbor"))
    return ours, theirs


def filter_options(client) -> str:
    html = client.get(reverse("contacts:list")).content.decode()
    return html.split('name="tag"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    "who,seen,unseen",
    [
        ("captain_a", ["potluck-host"], ["undocumented-worker", "my-neighbor"]),
        ("organizer_a", ["potluck-host"], ["undocumented-worker", "my-neighbor"]),
        ("organizer_b", ["undocumented-worker"], ["potluck-host", "my-neighbor"]),
        ("volunteer_a", ["my-neighbor"], ["potluck-host", "undocumented-worker"]),
        ("staff", ["potluck-host", "undocumented-worker", "my-neighbor"], []),
    ],
)
def test_the_tag_filter_lists_only_tags_on_people_in_scope(
    cast, client_for, tags, who, seen, unseen
):
    options = filter_options(client_for(getattr(cast, who)))
    for name in seen:
        assert f'value="{name}"' in options, name
    for name in unseen:
        assert name not in options, name


def test_filtering_by_a_tag_outside_the_scope_is_refused_not_answered(cast, client_for, tags):
    response = client_for(cast.organizer_a).get("/api/people/?tag=undocumented-worker")
    assert response.status_code == 400
    assert "undocumented-worker" not in str(response.json().get("results", ""))


def edit(client, contact, tags_text: str):
    url = reverse("contacts:edit", args=[contact.pk])
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if not isinstance(value, list | tuple)
    }
    data.update(
        {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "tags_text": tags_text,
            "phones-TOTAL_FORMS": "0",
            "phones-INITIAL_FORMS": "0",
            "emails-TOTAL_FORMS": "0",
            "emails-INITIAL_FORMS": "0",
            "ids-TOTAL_FORMS": "0",
            "ids-INITIAL_FORMS": "0",
        }
    )
    return client.post(url, data)


def test_more_than_the_bound_of_tags_is_refused_with_a_message(cast, client_for):
    client = client_for(cast.staff)
    names = ", ".join(f"tag{n}" for n in range(MAX_TAGS_PER_PERSON + 1))
    response = edit(client, cast.person_a, names)
    assert response.status_code == 200
    assert f"at most {MAX_TAGS_PER_PERSON} tags" in response.content.decode()
    assert cast.person_a.tags.count() == 0
    assert not Tag.objects.filter(name="tag0").exists()


def test_a_tag_too_long_is_refused_with_a_message(cast, client_for):
    response = edit(client_for(cast.staff), cast.person_a, "x" * (MAX_TAG_LENGTH + 1))
    assert f"at most {MAX_TAG_LENGTH} characters" in response.content.decode()
    assert not Tag.objects.exists()


def test_three_thousand_tags_in_one_request_are_refused(cast, client_for):
    names = ",".join(f"t{n}" for n in range(3000))
    response = edit(client_for(cast.staff), cast.person_a, names)
    assert response.status_code in (200, 400)
    assert Tag.objects.count() == 0
    assert Contact.objects.get(pk=cast.person_a.pk).tags.count() == 0


def test_the_bound_of_tags_is_accepted(cast, client_for):
    names = ", ".join(f"tag{n}" for n in range(MAX_TAGS_PER_PERSON))
    response = edit(client_for(cast.staff), cast.person_a, names)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert cast.person_a.tags.count() == MAX_TAGS_PER_PERSON
