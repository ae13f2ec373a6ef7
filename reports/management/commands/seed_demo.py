"""``manage.py seed_demo``: a realistic small chapter so every page has something real to show.

Deterministic (seeded): a few neighborhood and workplace hubs, one user per role, a few hundred
people with varied names, languages and phone formats, conversations, assessments and
follow-ups (some due today, some overdue), doors and a cut turf, a campaign with events.

It lives in ``reports``, the top layer, because it fills every app (README: layering).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from contacts.models import (
    Activity,
    Assessment,
    Contact,
    ContactEvent,
    Email,
    FollowUp,
    HubMember,
    Interaction,
    Issue,
    Phone,
    Tag,
)
from contacts.services.ladder import (
    activity_record,
    ladder_catch_up,
    ladder_ensure_defaults,
    ladder_rescore,
)
from hubs.models import Hub, HubRole
from organizer.lib.phones import normalize_phone
from organizer.lib.text import fold

DEMO_PASSWORD = "organize-demo"  # noqa: S105 - printed in the README on purpose

USERS = [
    ("staff@demo.organizer.test", "Dana Staff", Role.STAFF),
    ("captain@demo.organizer.test", "Carmen Rivera", Role.CAPTAIN),
    ("organizer@demo.organizer.test", "Omar Haddad", Role.ORGANIZER),
    ("organizer2@demo.organizer.test", "Mei Lin", Role.ORGANIZER),
    ("volunteer@demo.organizer.test", "Victor Okafor", Role.VOLUNTEER),
]

HUBS = [
    ("Bushwick", "bushwick", Hub.Kind.NEIGHBORHOOD, "Tuesdays 7pm", "Maria Hernandez Park"),
    ("Sunset Park", "sunset-park", Hub.Kind.NEIGHBORHOOD, "Thursdays 6:30pm", "5th Ave library"),
    ("Jackson Heights", "jackson-heights", Hub.Kind.NEIGHBORHOOD, "Sundays 4pm", "Travers Park"),
    ("Mount Sinai nurses", "mount-sinai-nurses", Hub.Kind.WORKPLACE, "Wednesdays 8pm", "Zoom"),
    ("JFK8 warehouse", "jfk8", Hub.Kind.WORKPLACE, "Saturdays noon", "Union hall, Staten Island"),
]

# (neighborhood, zip, lat, lon) — roughly where those places are.
PLACES = {
    "bushwick": ("Bushwick", "11237", 40.7036, -73.9216),
    "sunset-park": ("Sunset Park", "11220", 40.6455, -74.0124),
    "jackson-heights": ("Jackson Heights", "11372", 40.7557, -73.8831),
    "mount-sinai-nurses": ("East Harlem", "10029", 40.7906, -73.9442),
    "jfk8": ("Bloomfield", "10314", 40.6037, -74.1784),
}

FIRST = {
    "Spanish": ["María", "José", "Lucía", "Alejandro", "Xiomara", "Luis", "Guadalupe", "Andrés"],
    "English": ["Jessica", "Michael", "Tanya", "DeShawn", "Kevin", "Ashley", "Brian", "Keisha"],
    "Chinese": ["Wei", "Xiu Ying", "Jun", "Mei", "Hao", "Li Na", "Zhang Wei", "Yan"],
    "Bengali": ["Farhana", "Rahim", "Nusrat", "Tanvir", "Sharmin", "Arif"],
    "Haitian Creole": ["Jean-Baptiste", "Marie-Claude", "Wisly", "Nadège", "Fritz"],
    "Arabic": ["Omar", "Layla", "Youssef", "Fatima", "Karim", "Noor"],
    "Polish": ["Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Małgorzata"],
}
LAST = {
    "Spanish": ["García", "Rodríguez", "Núñez", "Peña", "Ortiz", "Muñoz", "Castillo", "Ibáñez"],
    "English": ["Johnson", "Williams", "O'Brien", "Jackson", "Smith", "Brown", "Davis"],
    "Chinese": ["Chen", "Wang", "Zhang", "Liu", "Huang", "Lin"],
    "Bengali": ["Rahman", "Hossain", "Akter", "Chowdhury", "Islam"],
    "Haitian Creole": ["Pierre", "Jean-Louis", "Désir", "Toussaint", "Joseph"],
    "Arabic": ["Haddad", "Saleh", "Nasser", "Khalil", "Mansour"],
    "Polish": ["Kowalski", "Wiśniewska", "Nowak", "Zieliński", "Wójcik"],
}
LANGUAGE_WEIGHTS = [
    ("English", 35), ("Spanish", 30), ("Chinese", 12), ("Bengali", 8),
    ("Haitian Creole", 6), ("Arabic", 5), ("Polish", 4),
]  # fmt: skip
STREETS = ["Knickerbocker Ave", "Wilson Ave", "5th Ave", "37th Ave", "Myrtle Ave", "Broadway"]
PHONE_FORMATS = ["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "1{a}{b}{c}"]
AREA_CODES = ["212", "347", "718", "917", "646", "929"]
ISSUES = ["Childcare", "Housing", "Transit", "Taxing the rich", "Wages", "Healthcare"]
TAGS = ["potluck host", "canvasser", "phonebanker", "speaks at rallies", "shop steward", "new"]
NOTES = [
    "Moved here in 2015. Rent went up 30% last year; worried about being pushed out.",
    "Two kids in daycare — pays more for childcare than rent. Angry about it.",
    "Takes the B46 every day; bus is always late. Wants to testify at the MTA hearing.",
    "Works nights. Coworkers are scared to talk about the union on the floor.",
    "Came to the potluck with her neighbor. Asked lots of questions about dues.",
    "Volunteered on the campaign, knocked 200 doors. Ready for more.",
]
ASKS = [
    ("Will you host a potluck for your building?", "Hosting on the 14th"),
    ("Will you come to the hub meeting Tuesday?", "Coming with a friend"),
    ("Will you sign and collect 10 petition signatures?", "Took a clipboard"),
    ("Will you talk to two coworkers on your unit this week?", ""),
]
FOLLOW_UPS = [
    "Call back about the potluck",
    "Text the meeting reminder",
    "Check in after the tenant meeting",
    "Bring petition sheets",
    "Ask about coworkers on night shift",
]


class Command(BaseCommand):
    help = "Load realistic demo data (hubs, a user per role, a few hundred people)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any user exists already."
        )
        parser.add_argument("--people", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        user_model = get_user_model()
        if options["if_empty"] and user_model.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        with transaction.atomic():
            ladder_ensure_defaults()
            self._seed(random.Random(options["seed"]), options["people"])
            self._seed_campaigns(random.Random(options["seed"]))
            self._seed_reports()
        ladder_rescore(all=True)  # everyone gets a stage…
        ladder_catch_up()  # …and the people with activity are scored now, not in a minute
        self._refresh_reports()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with:"))
        for email, _name, role in USERS:
            self.stdout.write(f"  {role:<10} {email}  password: {DEMO_PASSWORD}")

    def _seed_reports(self) -> None:
        """Neighborhoods with residents, for the depth report (reports.demo)."""
        from reports.demo import seed_neighborhoods

        seed_neighborhoods()

    def _refresh_reports(self) -> None:
        """Place everyone in their neighborhood for the reports now, not at the next refresh."""
        from reports.services import person_facts_refresh

        person_facts_refresh()

    def _seed_campaigns(self, rng: random.Random) -> None:
        """A campaign with goals and events (campaigns.demo)."""
        from campaigns.demo import seed_campaigns

        users = {
            u.email: u
            for u in get_user_model().objects.filter(email__endswith="@demo.organizer.test")
        }
        seed_campaigns(
            rng,
            staff=users["staff@demo.organizer.test"],
            captain=users["captain@demo.organizer.test"],
            organizer=users["organizer@demo.organizer.test"],
        )

    def _seed(self, rng: random.Random, count: int) -> None:
        user_model = get_user_model()
        users = {}
        for email, name, role in USERS:
            user, _ = user_model.objects.update_or_create(
                email=email, defaults={"name": name, "role": role, "is_staff": role == Role.STAFF}
            )
            user.set_password(DEMO_PASSWORD)
            if role == Role.STAFF:
                user.is_superuser = True
            user.save()
            users[email] = user
        staff = users["staff@demo.organizer.test"]
        hubs = {}
        for name, slug, kind, when, where in HUBS:
            hubs[slug], _ = Hub.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "meeting_time": when,
                    "meeting_place": where,
                    "description": f"The {name} hub.",
                },
            )
        captain = users["captain@demo.organizer.test"]
        organizer = users["organizer@demo.organizer.test"]
        organizer2 = users["organizer2@demo.organizer.test"]
        volunteer = users["volunteer@demo.organizer.test"]
        for hub, user, role in [
            (hubs["bushwick"], captain, HubRole.Role.CAPTAIN),
            (hubs["sunset-park"], captain, HubRole.Role.CAPTAIN),
            (hubs["bushwick"], organizer, HubRole.Role.ORGANIZER),
            (hubs["jfk8"], organizer, HubRole.Role.ORGANIZER),
            (hubs["jackson-heights"], organizer2, HubRole.Role.ORGANIZER),
            (hubs["mount-sinai-nurses"], organizer2, HubRole.Role.ORGANIZER),
            (hubs["bushwick"], volunteer, HubRole.Role.VOLUNTEER),
        ]:
            HubRole.objects.update_or_create(hub=hub, user=user, defaults={"role": role})

        issues = [
            Issue.objects.get_or_create(name=n, defaults={"slug": n.lower().replace(" ", "-")})[0]
            for n in ISSUES
        ]
        tags = [Tag.objects.get_or_create(name=n)[0] for n in TAGS]
        owners_by_hub = {
            "bushwick": [organizer, captain, volunteer],
            "sunset-park": [captain],
            "jackson-heights": [organizer2],
            "mount-sinai-nurses": [organizer2],
            "jfk8": [organizer],
        }
        languages, weights = zip(*LANGUAGE_WEIGHTS, strict=True)
        now = timezone.now()
        today = timezone.localdate()
        used_phones: set[str] = set()
        for i in range(count):
            language = rng.choices(languages, weights)[0]
            first, last = rng.choice(FIRST[language]), rng.choice(LAST[language])
            slug = rng.choices(list(hubs), [35, 20, 20, 15, 10])[0]
            hood, zip_code, lat, lon = PLACES[slug]
            owner = rng.choice(owners_by_hub[slug]) if rng.random() < 0.8 else None
            status = rng.choices(list(Contact.Membership), [30, 10, 60])[0]
            contact = Contact.objects.create(
                first_name=first,
                last_name=last,
                languages=[language] if language == "English" else [language, "English"],
                street=f"{rng.randint(1, 1400)} {rng.choice(STREETS)}",
                unit=rng.choice(["", "", "2R", "3F", "4A", "1"]),
                city="Brooklyn" if slug in ("bushwick", "sunset-park") else "New York",
                state="NY",
                zip_code=zip_code,
                latitude=lat + rng.uniform(-0.01, 0.01),
                longitude=lon + rng.uniform(-0.01, 0.01),
                neighborhood=hood,
                employer=rng.choice(["", "Mount Sinai", "Amazon", "NYC DOE", "MTA", "Key Food"]),
                membership_status=status,
                member_since=(today - timedelta(days=rng.randint(30, 2000)))
                if status != Contact.Membership.NOT_MEMBER
                else None,
                sms_ok=rng.random() < 0.6,
                do_not_contact=rng.random() < 0.02,
                owner=owner,
                source=rng.choice(["mayoral campaign", "petition", "potluck", "door knock", ""]),
                created_by=staff,
                created_at=now - timedelta(days=rng.randint(1, 400)),
            )
            HubMember.objects.create(
                contact=contact, hub=hubs[slug], since=today - timedelta(days=rng.randint(0, 600))
            )
            while True:
                a, b, c = rng.choice(AREA_CODES), rng.randint(201, 989), rng.randint(0, 9999)
                raw = rng.choice(PHONE_FORMATS).format(a=a, b=b, c=f"{c:04d}")
                e164 = normalize_phone(raw, "US")
                if e164 not in used_phones:
                    used_phones.add(e164)
                    break
            Phone.objects.create(contact=contact, raw=raw, e164=e164, is_primary=True)
            if rng.random() < 0.7:
                local = ".".join(fold(f"{first} {last}").split()) + str(i)
                Email.objects.create(
                    contact=contact, address=f"{local}@example.org", is_primary=True
                )
            contact.issues.set(rng.sample(issues, rng.randint(0, 3)))
            contact.tags.set(rng.sample(tags, rng.choice([0, 0, 1, 2])))
            ContactEvent.objects.create(
                contact=contact, kind=ContactEvent.Kind.CREATED, actor=staff, summary="Added"
            )
            if owner and rng.random() < 0.5:
                self._conversation(rng, contact, owner, now, today)
        seed_demo_doors_and_turf(hubs=hubs, captain=captain, volunteer=volunteer, today=today)

    def _conversation(self, rng, contact, owner, now, today) -> None:
        happened = now - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 10))
        ask, commitment = rng.choice(ASKS)
        interaction = Interaction.objects.create(
            contact=contact,
            kind=Interaction.Kind.ONE_ON_ONE,
            happened_at=happened,
            medium=rng.choice(list(Interaction.Medium)),
            notes=rng.choice(NOTES),
            ask=ask,
            answer=rng.choice(list(Interaction.Answer)),
            commitment=commitment,
            author=owner,
        )
        activity_record(
            contact_id=contact.pk,
            kind=Activity.Kind.ONE_ON_ONE,
            source="interaction",
            source_id=interaction.pk,
            occurred_at=happened,
        )
        if rng.random() < 0.3:
            # Some people also came to events, knocked doors or led something.
            kind = rng.choice([Activity.Kind.EVENT_ATTENDED, Activity.Kind.SHIFT])
            for n in range(rng.randint(1, 4)):
                activity_record(
                    contact_id=contact.pk,
                    kind=kind,
                    source="demo",
                    source_id=interaction.pk * 10 + n,
                    occurred_at=happened - timedelta(days=7 * n),
                )
        level = rng.choices([1, 2, 3, 4, 5], [8, 30, 40, 15, 7])[0]
        Assessment.objects.create(
            contact=contact,
            level=level,
            assessed_at=happened,
            assessed_by=owner,
            interaction=interaction,
        )
        contact.assessment = level
        contact.last_contacted_at = happened
        contact.save(update_fields=["assessment", "last_contacted_at", "name_search"])
        if rng.random() < 0.6:
            FollowUp.objects.create(
                contact=contact,
                assigned_to=owner,
                due_on=today + timedelta(days=rng.randint(-5, 10)),
                what=rng.choice(FOLLOW_UPS),
                interaction=interaction,
                created_by=owner,
            )


# --- Doors and turf (hubs) ------------------------------------------------------------------
# Kept apart from the people above: a captain's first visit finds doors to cut and a turf
# already split, and the demo volunteer finds a piece to walk on My day.

DEMO_TURF_NAME = "Bushwick blocks"
DEMO_PIECE_SIZE = 15


def seed_demo_doors_and_turf(*, hubs: dict, captain, volunteer, today) -> None:
    """Doors from every demo person's address, and one Bushwick turf (its ZIP code) split into
    pieces of about DEMO_PIECE_SIZE doors, piece 1 assigned to the demo volunteer."""
    # The hubs turf services build on contacts; imported here, where the demo needs them.
    from hubs.services.turf import (
        TurfCut,
        doors_from_contacts,
        piece_assign,
        turf_create,
        turf_cut_count,
        turf_split,
    )

    doors_from_contacts()
    cut = TurfCut(zip_codes=[PLACES["bushwick"][1]])
    if not turf_cut_count(cut=cut, by=None).doors:  # a tiny demo (--people 5) may have nobody there
        return
    turf = turf_create(hub=hubs["bushwick"], name=DEMO_TURF_NAME, cut=cut, by=captain)
    pieces = turf_split(turf=turf, size=DEMO_PIECE_SIZE)
    piece_assign(piece=pieces[0], assignee=volunteer, due_on=today + timedelta(days=3), by=captain)
