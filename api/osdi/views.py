"""Action Network API v2 (OSDI) under /api/v2/: thin views over the scoped selectors and the
services the pages use. Every person, event, petition, tag, attendance and signature is read
through ``contacts_for_user`` / ``events_for_user`` / ``petitions_for_user``: a token sees what
its user sees on the pages, and an outsider gets 404."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.osdi import resources
from api.osdi import schema as S
from api.osdi.hal import BadRequest, OsdiView, collection, curies, page_of
from api.osdi.ids import from_uuid, to_uuid
from api.osdi.odata import parse
from api.osdi.schema import describe
from api.services import osdi as services
from campaigns.models import Campaign, Event, PressureAction, Rsvp, Signature, Target
from campaigns.selectors.access import (
    campaigns_for_user,
    can_create,
    events_for_user,
    managed_event_for_user,
    managed_hubs,
    petitions_for_user,
)
from campaigns.selectors.pressure import pressure_actions_for_user
from contacts.models import Contact, Email, Tag
from contacts.selectors.access import contacts_for_user

Tagging = Contact.tags.through

PEOPLE_FILTERS = {
    "modified_date": ("updated_at", "date"),
    "created_date": ("created_at", "date"),
    "email_address": ("email", "text"),
}
EVENT_FILTERS = {
    "modified_date": ("updated_at", "date"),
    "created_date": ("created_at", "date"),
    "start_date": ("starts_at", "date"),
}
ATTENDANCE_FILTERS = {
    "created_date": ("created_at", "date"),
    "modified_date": ("created_at", "date"),
}
PETITION_FILTERS = {"created_date": ("created_at", "date"), "modified_date": ("created_at", "date")}
SIGNATURE_FILTERS = {"created_date": ("signed_at", "date"), "modified_date": ("signed_at", "date")}
CAMPAIGN_FILTERS = {"created_date": ("created_at", "date")}
OUTREACH_FILTERS = {
    "created_date": ("created_at", "date"),
    "modified_date": ("created_at", "date"),
    "action_date": ("occurred_at", "date"),
}
MAX_OUTREACH_TARGETS = 20


def _filtered(qs: QuerySet, request, fields: dict) -> QuerySet:
    text = request.query_params.get("filter", "")
    for clause in parse(text, {name: kind for name, (_c, kind) in fields.items()}):
        column = fields[clause.field][0]
        if column == "email":
            address = clause.value.strip().lower()[:254]
            qs = qs.filter(pk__in=Email.objects.filter(address=address).values("contact_id"))
        else:
            qs = qs.filter(**{f"{column}__{clause.op}": clause.value})
    return qs


def _recorded(body: dict, created: bool) -> Response:
    """A record helper's answer: 201 for a new row, 200 for the one already there."""
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _pk(kind: str, value: str) -> int:
    pk = from_uuid(kind, value)
    if pk is None:
        raise Http404
    return pk


def _page(view: OsdiView, qs: QuerySet, *, path: str, rel: str, build, **extra) -> Response:
    """A counted page of a small collection (tags, events, petitions, their rows)."""
    page = page_of(view.request)
    total = qs.count()
    rows = list(qs[page.offset : page.offset + page.per_page]) if page.offset < total else []
    items = [build(row, view.base(), **extra) for row in rows]
    return collection(view, path=path, rel=rel, items=items, page=page, total=total)


def _scope(request) -> QuerySet[Contact]:
    return contacts_for_user(request.user)


def _person_in_scope(request, value: str) -> Contact:
    pk = _pk("person", value)
    return _scope(request).filter(pk=pk).first() or _raise404()


def _person_out(people: QuerySet[Contact], base: str) -> dict:
    """The one person of ``people`` as a resource (404 when there is none)."""
    rows = resources.person_rows(people.values("pk"))
    return resources.person(rows[0], base) if rows else _raise404()


def _raise404():
    raise Http404


def _person_reference(request, body: dict) -> tuple[Contact | None, services.PersonInput]:
    """Who a tagging, attendance or signature is about: a person link (``_links.osdi:person``),
    an ``identifiers`` list, or a person object (``person``: email/phone, matched as everywhere).
    parsons' ``create_attendance`` sends its payload as query parameters, which flattens a
    nested object: ``person_id``, ``email_address`` and ``phone_number`` are read from the query
    string too."""
    links = body.get("_links") if isinstance(body.get("_links"), dict) else {}
    link = links.get("osdi:person")
    href = link.get("href") if isinstance(link, dict) else None
    ids = body.get("identifiers") if isinstance(body.get("identifiers"), list) else []
    params = request.query_params
    ref = href.rstrip("/").rsplit("/", 1)[-1] if isinstance(href, str) else None
    ref = ref or next((i for i in ids if isinstance(i, str) and "action_network:" in i), None)
    ref = ref or body.get("person_id") or params.get("person_id")
    if ref:
        return _person_in_scope(request, str(ref)), services.PersonInput()
    person = body.get("person")
    if person is None and (params.get("email_address") or params.get("phone_number")):
        person = {
            "given_name": params.get("given_name", ""),
            "family_name": params.get("family_name", ""),
            "email_addresses": [params["email_address"]] if params.get("email_address") else [],
            "phone_numbers": [params["phone_number"]] if params.get("phone_number") else [],
        }
    if person is None:
        raise BadRequest(
            "Say who: a person link (_links.osdi:person.href), identifiers, or a person "
            "object with an email address or phone number."
        )
    return None, services.parse_person(person)


# --- entry point ----------------------------------------------------------------------------------


class EntryPoint(OsdiView):
    @describe(
        "osdi_entry_point_get",
        "entry point",
        "The entry point: links to every collection",
        S.EntryPoint,
    )
    def get(self, request):
        base = self.base()

        def link(path: str, title: str) -> dict:
            return {"href": base + path, "title": title}

        return Response(
            {
                "motd": "Organizer: an Action Network–compatible (OSDI) API.",
                "vendor_name": "Organizer",
                "product_name": "Organizer",
                "osdi_version": "1.1.1",
                "max_page_size": 100,
                "_links": {
                    "curies": curies(),
                    "self": {"href": base, "title": "The Action Network API entry point"},
                    "osdi:people": link("people", "The collection of people in the system"),
                    "osdi:person_signup_helper": link("people", "The person signup helper"),
                    "osdi:tags": link("tags", "The collection of tags in the system"),
                    "osdi:events": link("events", "The collection of events in the system"),
                    "osdi:petitions": link("petitions", "The collection of petitions"),
                    "osdi:advocacy_campaigns": link("advocacy_campaigns", "Advocacy campaigns"),
                    "osdi:forms": link("forms", "The collection of forms in the system"),
                },
            }
        )


# --- people -------------------------------------------------------------------------------------


class People(OsdiView):
    @describe(
        "osdi_people_get",
        "people",
        "List people you can see",
        S.PersonPage,
        paged=True,
        filters=list(PEOPLE_FILTERS),
    )
    def get(self, request):
        """Pages by primary key: the ids of one page (an index-only read however deep the
        page) picked in a subquery, their rows with emails and phones: one statement a page."""
        page = page_of(request)
        qs = _filtered(_scope(request), request, PEOPLE_FILTERS)
        ids = qs.order_by("pk").values("pk")[page.offset : page.offset + page.per_page]
        rows = resources.person_rows(ids)
        base = self.base()
        items = [resources.person(row, base) for row in rows]
        return collection(
            self, path="people", rel="osdi:people", items=items, page=page, total=None
        )

    @describe(
        "osdi_people_post",
        "people",
        "The person signup helper: create or update by email/phone",
        S.Person,
        request=S.Signup,
        examples=[S.SIGNUP_EXAMPLE, S.PERSON_EXAMPLE],
        conflict=True,
    )
    def post(self, request):
        """The person signup helper: create, or update the person with this email or phone."""
        body = self.body()
        data = services.parse_person(body.get("person", body))
        add = services.tag_names(body.get("add_tags"), "add_tags")
        remove = services.tag_names(body.get("remove_tags"), "remove_tags")
        contact, _created = services.person_signup(
            by=request.user, scope=_scope(request), data=data, add_tags=add, remove_tags=remove
        )
        return Response(_person_out(Contact.objects.filter(pk=contact.pk), self.base()))


class Person(OsdiView):
    @describe("osdi_person_get", "people", "One person", S.Person, examples=[S.PERSON_EXAMPLE])
    def get(self, request, person_id):
        people = _scope(request).filter(pk=_pk("person", person_id))
        return Response(_person_out(people, self.base()))

    @describe(
        "osdi_person_put",
        "people",
        "Update a person (fields sent are changed)",
        S.Person,
        request=S.PersonIn,
    )
    def put(self, request, person_id):
        contact = _person_in_scope(request, person_id)
        body = self.body()
        services.person_update(
            by=request.user, contact=contact, data=services.parse_person(body.get("person", body))
        )
        return Response(_person_out(Contact.objects.filter(pk=contact.pk), self.base()))


class PersonAttendances(OsdiView):
    @describe(
        "osdi_person_attendances_get",
        "events",
        "A person's attendances",
        S.AttendancePage,
        paged=True,
        filters=list(ATTENDANCE_FILTERS),
    )
    def get(self, request, person_id):
        contact = _person_in_scope(request, person_id)
        qs = Rsvp.objects.filter(contact=contact, event__in=events_for_user(request.user))
        qs = _filtered(qs, request, ATTENDANCE_FILTERS).order_by("pk")
        path = f"people/{person_id}/attendances"
        return _page(self, qs, path=path, rel="osdi:attendances", build=resources.attendance)


class PersonSignatures(OsdiView):
    @describe(
        "osdi_person_signatures_get",
        "petitions",
        "A person's signatures",
        S.SignaturePage,
        paged=True,
        filters=list(SIGNATURE_FILTERS),
    )
    def get(self, request, person_id):
        contact = _person_in_scope(request, person_id)
        qs = Signature.objects.filter(
            contact=contact, petition__in=petitions_for_user(request.user)
        )
        qs = _filtered(qs, request, SIGNATURE_FILTERS).order_by("pk")
        path = f"people/{person_id}/signatures"
        return _page(self, qs, path=path, rel="osdi:signatures", build=resources.signature)


class PersonOutreaches(OsdiView):
    @describe(
        "osdi_person_outreaches_get",
        "advocacy campaigns",
        "A person's outreaches (on campaigns you can see)",
        S.OutreachPage,
        paged=True,
        filters=list(OUTREACH_FILTERS),
    )
    def get(self, request, person_id):
        contact = _person_in_scope(request, person_id)
        qs = pressure_actions_for_user(request.user).filter(contact=contact)
        qs = _filtered(qs.select_related("target").order_by("pk"), request, OUTREACH_FILTERS)
        path = f"people/{person_id}/outreaches"
        return _page(self, qs, path=path, rel="osdi:outreaches", build=resources.outreach)


class PersonTaggings(OsdiView):
    @describe("osdi_person_taggings_get", "tags", "A person's taggings", S.TaggingPage, paged=True)
    def get(self, request, person_id):
        contact = _person_in_scope(request, person_id)
        qs = Tagging.objects.filter(contact=contact).select_related("tag").order_by("pk")
        path = f"people/{person_id}/taggings"
        return _page(self, qs, path=path, rel="osdi:taggings", build=resources.tagging)


# --- tags and taggings --------------------------------------------------------------------------


def _tag(tag_id: str) -> Tag:
    return Tag.objects.filter(pk=_pk("tag", tag_id)).first() or _raise404()


class Tags(OsdiView):
    @describe(
        "osdi_tags_get", "tags", "List tags", S.TagPage, paged=True, examples=[S.PAGE_EXAMPLE]
    )
    def get(self, request):
        qs = _filtered(Tag.objects.order_by("pk"), request, {})
        return _page(self, qs, path="tags", rel="osdi:tags", build=resources.tag)

    @describe(
        "osdi_tags_post",
        "tags",
        "Create a tag (or get the one with this name)",
        S.Tag,
        request=S.TagIn,
    )
    def post(self, request):
        tag, _created = services.tag_get_or_create(name=self.body().get("name"))
        return Response(resources.tag(tag, self.base()))


class TagDetail(OsdiView):
    @describe("osdi_tag_detail_get", "tags", "One tag", S.Tag)
    def get(self, request, tag_id):
        return Response(resources.tag(_tag(tag_id), self.base()))


class Taggings(OsdiView):
    @describe(
        "osdi_taggings_get",
        "tags",
        "People carrying a tag (those you can see)",
        S.TaggingPage,
        paged=True,
    )
    def get(self, request, tag_id):
        tag = _tag(tag_id)
        qs = Tagging.objects.filter(tag=tag, contact__in=_scope(request)).order_by("pk")
        qs = _filtered(qs, request, {})
        path = f"tags/{tag_id}/taggings"
        return _page(self, qs, path=path, rel="osdi:taggings", build=resources.tagging)

    @describe(
        "osdi_taggings_post",
        "tags",
        "Tag a person",
        S.Tagging,
        request=S.PersonReference,
        examples=[S.REFERENCE_EXAMPLE, S.REFERENCE_BY_EMAIL],
        conflict=True,
    )
    def post(self, request, tag_id):
        tag = _tag(tag_id)
        contact, data = _person_reference(request, self.body())
        if contact is None:
            contact, _created = services.person_signup(
                by=request.user, scope=_scope(request), data=data
            )
        row = services.tagging_add(by=request.user, tag=tag, contact=contact)
        return Response(resources.tagging(row, self.base()))


class TaggingDetail(OsdiView):
    def _row(self, request, tag_id, tagging_id):
        row = (
            Tagging.objects.filter(
                pk=_pk("tagging", tagging_id), tag=_tag(tag_id), contact__in=_scope(request)
            )
            .select_related("tag")
            .first()
        )
        return row or _raise404()

    @describe("osdi_tagging_detail_get", "tags", "One tagging", S.Tagging)
    def get(self, request, tag_id, tagging_id):
        return Response(resources.tagging(self._row(request, tag_id, tagging_id), self.base()))

    @describe("osdi_tagging_detail_delete", "tags", "Take the tag off the person", S.Notice)
    def delete(self, request, tag_id, tagging_id):
        services.tagging_remove(by=request.user, row=self._row(request, tag_id, tagging_id))
        return Response({"notice": "This tagging was successfully deleted."})


# --- events and attendances ---------------------------------------------------------------------


def _events(request) -> QuerySet[Event]:
    going = Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING))
    return events_for_user(request.user).select_related("hub").annotate(accepted=going)


def _event(request, event_id: str) -> Event:
    return _events(request).filter(pk=_pk("event", event_id)).first() or _raise404()


def _event_out(event: Event, base: str) -> dict:
    return resources.event(event, base, accepted=getattr(event, "accepted", None))


class Events(OsdiView):
    @describe(
        "osdi_events_get",
        "events",
        "List events you can see",
        S.EventPage,
        paged=True,
        filters=list(EVENT_FILTERS),
    )
    def get(self, request):
        qs = _filtered(_events(request).order_by("pk"), request, EVENT_FILTERS)
        return _page(self, qs, path="events", rel="osdi:events", build=_event_out)

    @describe(
        "osdi_events_post",
        "events",
        "Create an event (staff and hub captains)",
        S.Event,
        request=S.EventIn,
        examples=[S.EVENT_EXAMPLE],
    )
    def post(self, request):
        if not can_create(request.user):
            raise exceptions.PermissionDenied("Only staff and hub captains create events.")
        body = self.body()
        hubs = managed_hubs(request.user)
        slug = body.get("action_network:hub") or body.get("hub")
        if slug:
            hub = hubs.filter(slug=str(slug)[:100]).first()
            if hub is None:
                raise BadRequest("Unknown hub, or not one you run: send a hub slug you captain.")
        else:
            candidates = list(hubs.order_by("pk")[:2])
            if len(candidates) != 1:
                raise BadRequest('Say which hub the event is in: add "hub": "<hub slug>".')
            hub = candidates[0]
        event = services.event_from_osdi(by=request.user, hub=hub, data=body)
        return Response(_event_out(_event(request, to_uuid("event", event.pk)), self.base()))


class EventDetail(OsdiView):
    @describe("osdi_event_detail_get", "events", "One event", S.Event)
    def get(self, request, event_id):
        return Response(_event_out(_event(request, event_id), self.base()))

    @describe(
        "osdi_event_detail_put", "events", "Update an event you run", S.Event, request=S.EventIn
    )
    def put(self, request, event_id):
        event = managed_event_for_user(request.user, _pk("event", event_id))
        services.event_update_from_osdi(by=request.user, event=event, data=self.body())
        return Response(_event_out(_event(request, event_id), self.base()))


class Attendances(OsdiView):
    @describe(
        "osdi_attendances_get",
        "events",
        "An event's attendances",
        S.AttendancePage,
        paged=True,
        filters=list(ATTENDANCE_FILTERS),
    )
    def get(self, request, event_id):
        event = _event(request, event_id)
        qs = Rsvp.objects.filter(event=event, contact__in=_scope(request)).order_by("pk")
        qs = _filtered(qs, request, ATTENDANCE_FILTERS)
        path = f"events/{event_id}/attendances"
        return _page(self, qs, path=path, rel="osdi:attendances", build=resources.attendance)

    @describe(
        "osdi_attendances_post",
        "events",
        "The record-attendance helper: RSVP a person",
        S.Attendance,
        request=S.PersonReference,
        codes=(200, 201),
        examples=[S.REFERENCE_EXAMPLE, S.REFERENCE_BY_EMAIL],
        conflict=True,
    )
    def post(self, request, event_id):
        """The record-attendance helper: an RSVP, as if they signed up on the event's page."""
        event = _event(request, event_id)
        contact, data = _person_reference(request, self.body())
        rsvp, created = services.attendance_record(
            event=event, scope=_scope(request), person=contact, data=data
        )
        return _recorded(resources.attendance(rsvp, self.base()), created)


class AttendanceDetail(OsdiView):
    @describe("osdi_attendance_detail_get", "events", "One attendance", S.Attendance)
    def get(self, request, event_id, attendance_id):
        event = _event(request, event_id)
        rsvp = Rsvp.objects.filter(
            pk=_pk("attendance", attendance_id), event=event, contact__in=_scope(request)
        ).first()
        return Response(resources.attendance(rsvp or _raise404(), self.base()))


# --- petitions and signatures -------------------------------------------------------------------


def _petitions(request):
    return petitions_for_user(request.user).annotate(signed=Count("signatures"))


def _petition_out(p, base: str) -> dict:
    return resources.petition(p, base, signatures=getattr(p, "signed", None))


def _petition(request, petition_id: str):
    return _petitions(request).filter(pk=_pk("petition", petition_id)).first() or _raise404()


class Petitions(OsdiView):
    @describe(
        "osdi_petitions_get",
        "petitions",
        "List petitions you can see",
        S.PetitionPage,
        paged=True,
        filters=list(PETITION_FILTERS),
    )
    def get(self, request):
        qs = _filtered(_petitions(request).order_by("pk"), request, PETITION_FILTERS)
        return _page(self, qs, path="petitions", rel="osdi:petitions", build=_petition_out)


class PetitionDetail(OsdiView):
    @describe("osdi_petition_detail_get", "petitions", "One petition", S.Petition)
    def get(self, request, petition_id):
        return Response(_petition_out(_petition(request, petition_id), self.base()))


class Signatures(OsdiView):
    @describe(
        "osdi_signatures_get",
        "petitions",
        "A petition's signatures",
        S.SignaturePage,
        paged=True,
        filters=list(SIGNATURE_FILTERS),
    )
    def get(self, request, petition_id):
        petition = _petition(request, petition_id)
        qs = Signature.objects.filter(petition=petition, contact__in=_scope(request)).order_by("pk")
        qs = _filtered(qs, request, SIGNATURE_FILTERS)
        path = f"petitions/{petition_id}/signatures"
        return _page(self, qs, path=path, rel="osdi:signatures", build=resources.signature)

    @describe(
        "osdi_signatures_post",
        "petitions",
        "The record-signature helper: the person signs once",
        S.Signature,
        request=S.PersonReference,
        codes=(200, 201),
        examples=[S.REFERENCE_EXAMPLE, S.REFERENCE_BY_EMAIL],
        conflict=True,
    )
    def post(self, request, petition_id):
        """The record-signature helper: the person signs once (matched by email or phone)."""
        petition = _petition(request, petition_id)
        contact, data = _person_reference(request, self.body())
        signature, created = services.signature_add(
            by=request.user, petition=petition, scope=_scope(request), person=contact, data=data
        )
        return _recorded(resources.signature(signature, self.base()), created)


class SignatureDetail(OsdiView):
    @describe("osdi_signature_detail_get", "petitions", "One signature", S.Signature)
    def get(self, request, petition_id, signature_id):
        petition = _petition(request, petition_id)
        row = Signature.objects.filter(
            pk=_pk("signature", signature_id), petition=petition, contact__in=_scope(request)
        ).first()
        return Response(resources.signature(row or _raise404(), self.base()))


# --- advocacy campaigns (campaigns with a call page) and outreaches (pressure actions) ---------


def _advocacy_campaigns(request) -> QuerySet[Campaign]:
    """The campaigns the user sees that have a call page, with their active targets and their
    number of actions (a number everyone who sees the campaign sees, as on its page)."""
    active = Target.objects.filter(is_active=True).order_by("level", "office", "name", "pk")
    return (
        Campaign.objects.filter(
            pk__in=campaigns_for_user(request.user).values("pk"), pressure__isnull=False
        )
        .select_related("pressure")
        .prefetch_related(Prefetch("targets", queryset=active, to_attr="active_targets"))
        .annotate(outreach_total=Count("pressure_actions", distinct=True))
    )


def _advocacy_campaign(request, campaign_id: str) -> Campaign:
    pk = _pk("advocacy_campaign", campaign_id)
    return _advocacy_campaigns(request).filter(pk=pk).first() or _raise404()


def _campaign_out(c: Campaign, base: str) -> dict:
    return resources.advocacy_campaign(
        c, base, targets=c.active_targets, outreaches=getattr(c, "outreach_total", None)
    )


def _outreaches(request, campaign: Campaign) -> QuerySet[PressureAction]:
    return (
        pressure_actions_for_user(request.user)
        .filter(campaign=campaign)
        .select_related("target")
        .order_by("pk")
    )


def _text_of(value, most: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest("Target names and titles are text.")
    return " ".join(value.split())[:most].casefold()


def _outreach_targets(campaign: Campaign, value) -> list[Target]:
    """Which of the campaign's targets: each item of ``targets`` by its identifier, or by name
    (``name``, or ``given_name`` and ``family_name``; ``title`` narrows it to an office). None
    sent: the campaign's only target."""
    named = list(campaign.active_targets)
    if value is None or value == []:
        if len(named) == 1:
            return named
        raise BadRequest(
            "Say which targets: a targets array of the campaign's targets "
            "(their identifiers, or their names)."
        )
    if not isinstance(value, list) or len(value) > MAX_OUTREACH_TARGETS:
        raise BadRequest(f"targets is a list of at most {MAX_OUTREACH_TARGETS} targets.")
    chosen: list[Target] = []
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest("Each target is an object with identifiers or a name.")
        ids = item.get("identifiers") if isinstance(item.get("identifiers"), list) else []
        pks = {from_uuid("target", i) for i in ids[:5] if isinstance(i, str)} - {None}
        name = _text_of(item.get("name"), 200) or " ".join(
            x
            for x in (_text_of(item.get("given_name"), 100), _text_of(item.get("family_name"), 100))
            if x
        )
        title = _text_of(item.get("title"), 200)
        found = [
            t
            for t in named
            if (t.pk in pks)
            or (
                not pks
                and name
                and " ".join(t.name.split()).casefold() == name
                and (not title or " ".join(t.office.split()).casefold() == title)
            )
        ]
        if len(found) != 1:
            raise BadRequest(
                "A target is not one of this campaign's (or its name fits several): "
                "use the identifiers listed in the campaign's targets."
            )
        if found[0] not in chosen:
            chosen.append(found[0])
    return chosen


class AdvocacyCampaigns(OsdiView):
    @describe(
        "osdi_advocacy_campaigns_get",
        "advocacy campaigns",
        "List advocacy campaigns (campaigns with a call page) you can see",
        S.CampaignPage,
        paged=True,
        filters=list(CAMPAIGN_FILTERS),
    )
    def get(self, request):
        qs = _filtered(_advocacy_campaigns(request).order_by("pk"), request, CAMPAIGN_FILTERS)
        return _page(
            self, qs, path="advocacy_campaigns", rel="osdi:advocacy_campaigns", build=_campaign_out
        )


class AdvocacyCampaignDetail(OsdiView):
    @describe(
        "osdi_advocacy_campaign_detail_get",
        "advocacy campaigns",
        "One advocacy campaign",
        S.AdvocacyCampaign,
    )
    def get(self, request, campaign_id):
        return Response(_campaign_out(_advocacy_campaign(request, campaign_id), self.base()))


class Outreaches(OsdiView):
    @describe(
        "osdi_outreaches_get",
        "advocacy campaigns",
        "An advocacy campaign's outreaches (by people you can see)",
        S.OutreachPage,
        paged=True,
        filters=list(OUTREACH_FILTERS),
    )
    def get(self, request, campaign_id):
        campaign = _advocacy_campaign(request, campaign_id)
        qs = _filtered(_outreaches(request, campaign), request, OUTREACH_FILTERS)
        path = f"advocacy_campaigns/{campaign_id}/outreaches"
        return _page(self, qs, path=path, rel="osdi:outreaches", build=resources.outreach)

    @describe(
        "osdi_outreaches_post",
        "advocacy campaigns",
        "The record-outreach helper: a person called or wrote to the campaign's targets",
        S.Outreach,
        request=S.OutreachIn,
        codes=(200, 201),
        examples=[S.OUTREACH_EXAMPLE],
        conflict=True,
        description="One outreach per target; the same person, target and type on one day "
        "counts once (200 with the outreach already there). The answer is the first target's "
        "outreach.",
    )
    def post(self, request, campaign_id):
        campaign = _advocacy_campaign(request, campaign_id)
        body = self.body()
        kind = services.outreach_kind(body.get("type", body.get("action_network:kind")))
        targets = _outreach_targets(campaign, body.get("targets"))
        contact, data = _person_reference(request, body)
        actions, created = services.outreach_record(
            by=request.user,
            campaign=campaign,
            scope=_scope(request),
            person=contact,
            data=data,
            targets=targets,
            kind=kind,
        )
        action = PressureAction.objects.select_related("target").get(pk=actions[0].pk)
        return _recorded(resources.outreach(action, self.base()), created)


class OutreachDetail(OsdiView):
    @describe("osdi_outreach_detail_get", "advocacy campaigns", "One outreach", S.Outreach)
    def get(self, request, campaign_id, outreach_id):
        campaign = _advocacy_campaign(request, campaign_id)
        row = _outreaches(request, campaign).filter(pk=_pk("outreach", outreach_id)).first()
        return Response(resources.outreach(row or _raise404(), self.base()))


# --- what has no counterpart here ---------------------------------------------------------------


class Empty(OsdiView):
    """Forms (and their submissions) have nothing to map onto yet: an empty collection in the
    right shape; any one of them is a 404."""

    rel = ""
    path = ""

    @classmethod
    def with_rel(cls, rel: str, path: str, page):
        view = type(f"Empty_{path}", (cls,), {"rel": rel, "path": path})
        summary = f"{path.replace('_', ' ').capitalize()}: none here (always an empty page)"
        return extend_schema_view(
            get=describe(f"osdi_{path}_get", path, summary, page, paged=True)
        )(view)

    def get(self, request):
        page = page_of(request)
        return collection(self, path=self.path, rel=self.rel, items=[], page=page, total=0)


class NotFound(OsdiView):
    schema = None  # not an operation: what Action Network has and we do not

    def get(self, request, **kwargs):
        raise Http404

    post = put = delete = get
