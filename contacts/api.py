"""Read-only people API: the same scoping (``contacts_for_user``) and FilterSet as the list."""

from __future__ import annotations

from rest_framework import generics, serializers

from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.selectors.access import contacts_for_user
from contacts.selectors.people import ordered, with_list_data


class PhoneOut(serializers.Serializer):
    e164 = serializers.CharField()
    kind = serializers.CharField()
    is_primary = serializers.BooleanField()


class EmailOut(serializers.Serializer):
    address = serializers.CharField()
    is_primary = serializers.BooleanField()


class ContactOut(serializers.ModelSerializer):
    """What the API shows of a person (output only; writes will get their own serializer)."""

    display_name = serializers.CharField(read_only=True)
    phones = PhoneOut(many=True, read_only=True)
    emails = EmailOut(many=True, read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Contact
        fields = [
            "id",
            "display_name",
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "languages",
            "phones",
            "emails",
            "city",
            "state",
            "zip_code",
            "neighborhood",
            "employer",
            "union",
            "membership_status",
            "email_ok",
            "sms_ok",
            "do_not_contact",
            "tags",
            "owner",
            "assessment",
            "last_contacted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PersonList(generics.ListAPIView):
    serializer_class = ContactOut
    filterset_class = ContactFilter

    def get_queryset(self):
        return with_list_data(ordered(contacts_for_user(self.request.user)))


class PersonDetail(generics.RetrieveAPIView):
    serializer_class = ContactOut

    def get_queryset(self):
        return with_list_data(contacts_for_user(self.request.user))
