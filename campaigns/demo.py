"""Demo data for campaigns (called by ``manage.py seed_demo``): a campaign with goals, a public
upcoming potluck with RSVPs and a shift-based canvass launch, and a past hub meeting with
attendance, walk-ins and first-timers. Written through the services, like real use."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from campaigns.models import Campaign, Event, Goal, Metric, Signature
from campaigns.services.campaigns import campaign_create
from campaigns.services.events import event_create, recruiter_code_for, shift_add
from campaigns.services.petitions import petition_create, signature_record
from campaigns.services.rsvps import RsvpInput, checkin_mark, rsvp_submit, walk_in_add
from contacts.models import Contact
from hubs.models import Hub


def seed_campaigns(rng: random.Random, *, staff, captain, organizer) -> None:
    if Campaign.objects.exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    bushwick = Hub.objects.get(slug="bushwick")
    sunset = Hub.objects.get(slug="sunset-park")
    campaign = campaign_create(
        by=staff,
        name="Our Time: free childcare",
        hubs=[bushwick, sunset],
        description="Potlucks, canvasses and a march on Albany for free childcare for all.",
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=40),
    )
    for metric, target, hub in [
        (Metric.ATTENDANCE, 120, None),
        (Metric.ATTENDANCE, 80, bushwick),
        (Metric.RSVPS, 200, None),
        (Metric.ONE_ON_ONES, 150, None),
        (Metric.DOORS_KNOCKED, 2000, None),
        (Metric.NEW_VOLUNTEERS, 40, None),
        (Metric.SIGNATURES, 300, None),
    ]:
        Goal.objects.create(campaign=campaign, metric=metric, target=target, hub=hub)

    def at(days: int, hour: int) -> dt.datetime:
        day = today + dt.timedelta(days=days)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    past = Event.objects.create(
        title="Bushwick hub meeting",
        kind=Event.Kind.HUB_MEETING,
        hub=bushwick,
        campaign=campaign,
        organizer=organizer,
        starts_at=at(-6, 18),
        ends_at=at(-6, 20),
        place="Bushwick Library, 340 Bushwick Ave",
        latitude=40.7046,
        longitude=-73.9393,
        created_by=captain,
    )
    potluck = event_create(
        by=captain,
        title="Childcare potluck",
        kind=Event.Kind.POTLUCK,
        hub=bushwick,
        campaign=campaign,
        organizer=organizer,
        starts_at=at(5, 17),
        ends_at=at(5, 20),
        place="Maria Hernandez Park, Knickerbocker Ave",
        latitude=40.7033,
        longitude=-73.9241,
        capacity=80,
        description="Bring a dish, bring a neighbor. Kids welcome: there is childcare.",
    )
    launch = event_create(
        by=captain,
        title="Canvass launch: Sunset Park",
        kind=Event.Kind.CANVASS_LAUNCH,
        hub=sunset,
        campaign=campaign,
        organizer=captain,
        starts_at=at(9, 10),
        ends_at=at(9, 16),
        place="5th Ave & 44th St",
        latitude=40.6464,
        longitude=-74.0096,
    )
    shift_add(by=captain, event=launch, starts_at=at(9, 10), ends_at=at(9, 13), label="Morning")
    shift_add(by=captain, event=launch, starts_at=at(9, 13), ends_at=at(9, 16), label="Afternoon")

    people = list(
        Contact.objects.filter(hub_memberships__hub=bushwick, phones__is_primary=True)
        .prefetch_related("phones")
        .order_by("pk")[:40]
    )
    if not people:  # a tiny demo (--people 1) may have nobody in Bushwick
        return
    recruiter = people[0]
    recruiter_code_for(contact=recruiter)
    for i, person in enumerate(people[1:30]):
        phone = person.phones.all()[0].e164
        data = RsvpInput(first_name=person.first_name, last_name=person.last_name, phone=phone)
        event = past if i % 2 else potluck
        rsvp = rsvp_submit(
            event=event,
            data=data,
            recruiter_id=recruiter.pk if i % 3 == 0 else None,
            now=min(now, event.starts_at - dt.timedelta(days=2)),
        )[0]
        if event is past and rng.random() < 0.75:
            checkin_mark(by=organizer, event=past, rsvp_id=rsvp.pk, now=past.starts_at)
    for person in people[30:32]:  # known people who came without an RSVP
        walk_in_add(
            by=organizer,
            event=past,
            first_name=person.first_name,
            last_name=person.last_name,
            phone=person.phones.all()[0].e164,
            now=past.starts_at,
        )
    petition = petition_create(
        by=staff,
        campaign=campaign,
        title="Free childcare for every family",
        text="We call on the Governor to fund free, universal childcare in this year's budget.",
        title_es="Cuidado infantil gratuito para cada familia",
        text_es="Pedimos a la Gobernadora que financie el cuidado infantil gratuito y universal "
        "en el presupuesto de este año.",
        target_name="The Governor",
        goal=300,
    )
    for i, person in enumerate(people[:24]):
        signature_record(
            petition=petition,
            contact=person,
            source=[Signature.Source.ONLINE, Signature.Source.PAPER][i % 2],
            by=organizer if i % 2 else None,
            at=now - dt.timedelta(days=i % 15, hours=i),
        )
    seed_pressure(rng, campaign=campaign, petition=petition, people=people, organizer=organizer)
    _seed_phone_bank(
        campaign=campaign, hub=bushwick, petition=petition, captain=captain, organizer=organizer
    )


def _box(west: float, south: float, east: float, north: float) -> list[tuple[float, float]]:
    return [(west, south), (east, south), (east, north), (west, north)]


# Hand-made shapes around the demo's neighborhoods (not the real lines). Bushwick's 11237 crosses
# the assembly line between 53 and 54, so a ZIP alone shows both members there.
DEMO_DISTRICTS = [
    ("state_senate", "18", _box(-73.945, 40.680, -73.895, 40.720), ["11237", "11221", "11206"]),
    ("state_senate", "17", _box(-74.030, 40.628, -73.990, 40.662), ["11220", "11232"]),
    ("state_senate", "13", _box(-73.900, 40.745, -73.866, 40.768), ["11372"]),
    ("assembly", "53", _box(-73.945, 40.680, -73.920, 40.720), ["11206", "11237"]),
    ("assembly", "54", _box(-73.920, 40.680, -73.895, 40.720), ["11221", "11237"]),
    ("assembly", "51", _box(-74.030, 40.628, -73.990, 40.662), ["11220", "11232"]),
    ("assembly", "39", _box(-73.900, 40.745, -73.866, 40.768), ["11372"]),
]
DEMO_TARGETS = [
    ("Kathleen Hale", "Governor", "state", None, "(518) 555-0100", "governor"),
    ("Julia Sanz", "State Senator", "state", ("state_senate", "18"), "(518) 555-0118", "sanz"),
    ("Andrew Gower", "State Senator", "state", ("state_senate", "17"), "(518) 555-0117", "gower"),
    ("Jessica Ruiz", "State Senator", "state", ("state_senate", "13"), "(518) 555-0113", "ruiz"),
    ("Maritza Davo", "Assembly Member", "state", ("assembly", "53"), "(518) 555-0153", "davo"),
    ("Erik Dilan", "Assembly Member", "state", ("assembly", "54"), "(518) 555-0154", "dilan"),
    ("Marcela Mit", "Assembly Member", "state", ("assembly", "51"), "(518) 555-0151", "mit"),
    ("Jay Cruz", "Assembly Member", "state", ("assembly", "39"), "(518) 555-0139", "cruz"),
]


def seed_pressure(rng: random.Random, *, campaign, petition, people, organizer) -> None:
    """Districts (shapes and a ZIP table), targets, the campaign's call page and a few actions."""
    from campaigns.models import District, DistrictZip, PressureAction, Target
    from campaigns.services.pressure import pressure_action_record, pressure_page_save

    districts = {}
    for kind, name, shape, zips in DEMO_DISTRICTS:
        district, _new = District.objects.update_or_create(
            kind=kind, name=name, defaults={"shape": shape}
        )
        districts[(kind, name)] = district
        for zip_code in zips:
            DistrictZip.objects.get_or_create(zip_code=zip_code, district=district)
    targets = []
    for name, office, level, district, phone, mailbox in DEMO_TARGETS:
        target, _new = Target.objects.get_or_create(
            name=name,
            office=office,
            defaults={
                "level": level,
                "district": districts[district] if district else None,
                "phone": phone,
                "email": f"{mailbox}@demo.organizer.test",
                "office_address": "State Capitol, Albany, NY 12247",
            },
        )
        targets.append(target)
    pressure_page_save(
        by=None,
        campaign=campaign,
        targets=targets,
        ask="Tell Albany: fund free childcare for every family",
        ask_es="Dígale a Albany: cuidado infantil gratuito para cada familia",
        script=(
            "Hi, my name is ___ and I live in your district. I'm calling to ask you to fund "
            "free, universal childcare in this year's budget. Families here can't wait. "
            "Will you commit to it? Thank you."
        ),
        script_es=(
            "Hola, me llamo ___ y vivo en su distrito. Llamo para pedirle que financie el "
            "cuidado infantil gratuito y universal en el presupuesto de este año. Las familias "
            "no pueden esperar. ¿Se compromete? Gracias."
        ),
        email_subject="Fund free childcare in this year's budget",
        email_subject_es="Financie el cuidado infantil gratuito este año",
        email_body=(
            "As your constituent, I ask you to fund free, universal childcare in this year's "
            "budget. Families in our neighborhood can't wait."
        ),
        email_body_es=(
            "Como residente de su distrito, le pido que financie el cuidado infantil gratuito "
            "y universal en el presupuesto de este año."
        ),
    )
    petition.target = targets[0]
    petition.save(update_fields=["target"])
    Goal.objects.get_or_create(
        campaign=campaign, metric=Metric.PRESSURE_ACTIONS, hub=None, defaults={"target": 100}
    )
    now = timezone.now()
    kinds = [PressureAction.Kind.CALL, PressureAction.Kind.EMAIL, PressureAction.Kind.VISIT]
    for i, person in enumerate(people[:12]):
        pressure_action_record(
            campaign=campaign,
            target=targets[i % 3],
            contact=person,
            kind=kinds[i % 3],
            source=PressureAction.Source.ORGANIZER if i % 3 == 2 else PressureAction.Source.PUBLIC,
            notes="Met the chief of staff at the district office." if i % 3 == 2 else "",
            by=organizer if i % 3 == 2 else None,
            at=now - dt.timedelta(days=i % 10, hours=rng.randint(0, 6)),
        )


def _seed_phone_bank(*, campaign, hub, petition, captain, organizer) -> None:
    """A call list of the petition's signers in Bushwick, for the demo organizer and volunteer,
    with a survey question and a few calls already made."""
    from django.contrib.auth import get_user_model

    from campaigns.models import CallList, CallTarget
    from campaigns.services.calls import QuestionInput, call_list_create, call_next, call_record

    volunteer = get_user_model().objects.filter(email="volunteer@demo.organizer.test").first()
    Goal.objects.create(campaign=campaign, metric=Metric.CALLS_MADE, target=500)
    call_list = call_list_create(
        by=captain,
        campaign=campaign,
        hub=hub,
        name="Potluck invitations: petition signers",
        kind=CallList.Kind.CALL,
        script="Hi {first_name}, this is {caller} with the Bushwick hub. Thank you for signing "
        "for free childcare! We are having a potluck on Saturday: can you come?",
        script_es="Hola {first_name}, soy {caller} del hub de Bushwick. ¡Gracias por firmar por "
        "el cuidado infantil gratuito! Tenemos una comida el sábado: ¿puede venir?",
        source=CallList.Source.SIGNERS,
        source_petition=petition,
        questions=[
            QuestionInput(
                text="Coming to the potluck?", kind="single", choices=("Yes", "No", "Maybe")
            ),
            QuestionInput(
                text="Which issues matter most?",
                kind="multiple",
                choices=("Childcare", "Rent", "Transit"),
            ),
        ],
        callers=[u for u in (organizer, volunteer) if u is not None],
    )
    coming, issues = call_list.questions.all()
    results = [CallTarget.Result.TALKED, CallTarget.Result.NO_ANSWER,
               CallTarget.Result.LEFT_MESSAGE, CallTarget.Result.TALKED]  # fmt: skip
    for i, result in enumerate(results):
        target_id = call_next(user=organizer, call_list=call_list)
        if target_id is None:
            return
        answers = {coming.pk: "Yes", issues.pk: ["Childcare", "Rent"][: 1 + i % 2]}
        call_record(
            by=organizer,
            call_list=call_list,
            target_id=target_id,
            result=result,
            answers=answers if result == CallTarget.Result.TALKED else None,
        )
