from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from accounts.models import Role
from contacts.models import Contact, Email, HubMember, Phone
from hubs.models import Hub, HubRole

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name")
    role = Role.ORGANIZER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    kind = Hub.Kind.NEIGHBORHOOD


class HubRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubRole

    hub = factory.SubFactory(HubFactory)
    user = factory.SubFactory(UserFactory)
    role = HubRole.Role.ORGANIZER


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class HubMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubMember

    contact = factory.SubFactory(ContactFactory)
    hub = factory.SubFactory(HubFactory)


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    contact = factory.SubFactory(ContactFactory)
    raw = "(212) 555-0100"
    e164 = "+12125550100"
    is_primary = True


class EmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Email

    contact = factory.SubFactory(ContactFactory)
    address = factory.Sequence(lambda n: f"person{n}@example.org")
    is_primary = True
