"""Writes for targets and pressure: district tables (a ZIP → district CSV, or GeoJSON shapes),
targets, a campaign's call page, and pressure actions.

The guarantee for actions: one person, target, kind and campaign is one action a day
(``pressure_action_once_a_day``), whichever way it is logged and however often "I called" is
tapped; the insert is guarded by a savepoint so two racing taps never raise. The person on the
public page is matched or created exactly as a petition signer is
(:func:`person_match_or_create`: advisory locks on the normalized phone and email). Each new
action is one ``pressure_action`` activity on the person's ladder.

Imports read files through the one CSV reader (``organizer.lib.csvfiles``) and report every
row: added, already there, or rejected with its line and reason; the good rows are saved
together, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, District, DistrictZip, PressureAction, PressurePage, Target
from campaigns.services.petitions import CONTACT_CONSENT_TEXT, SignerInput
from campaigns.services.rsvps import RsvpInput, _normalized, person_match_or_create
from contacts.models import Activity, Contact
from contacts.services.ladder import activity_for_new_row, activity_recorded
from organizer.lib.csvfiles import CsvFileError, read_table
from organizer.lib.geo import geojson_ring
from organizer.lib.inserts import insert_or_update

MAX_DISTRICT_FILE_BYTES = 5 * 1024 * 1024
MAX_DISTRICT_ROWS = 100_000
MAX_SHAPES_FILE_BYTES = 10 * 1024 * 1024
MAX_SHAPES = 2_000
MAX_NOTES = 1000
MAX_REJECTIONS_SHOWN = 200

_ZIP_COLUMNS = ("zip", "zip_code", "zipcode", "zcta", "postal_code")
_KIND_COLUMNS = ("district_kind", "kind", "type", "chamber")
_DISTRICT_COLUMNS = ("district", "name", "district_name", "number", "district_number")
_KIND_ALIASES = {
    "senate": District.Kind.STATE_SENATE,
    "state senate": District.Kind.STATE_SENATE,
    "sd": District.Kind.STATE_SENATE,
    "state assembly": District.Kind.ASSEMBLY,
    "ad": District.Kind.ASSEMBLY,
    "house": District.Kind.CONGRESS,
    "congressional": District.Kind.CONGRESS,
    "cd": District.Kind.CONGRESS,
    "city council": District.Kind.COUNCIL,
    "cc": District.Kind.COUNCIL,
}


class DistrictImportError(Exception):
    """The whole file is refused; the message says why, for a person to read."""


@dataclass
class DistrictImport:
    added: int = 0
    existing: int = 0
    updated: int = 0
    districts_created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.added + self.existing + self.updated + len(self.rejected)


def district_kind(value: str) -> str | None:
    """A kind of district as people write it: ``state_senate``, "State senate", "SD" …"""
    text = " ".join(value.replace("_", " ").split()).casefold()
    for kind in District.Kind:
        if text in (kind.value.replace("_", " "), str(kind.label).casefold()):
            return kind.value
    return _KIND_ALIASES.get(text)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _district_name(value: str) -> str:
    name = " ".join(value.split())
    if not name or len(name) > 60:
        raise ValueError(_("the district is missing or longer than 60 characters"))
    return name


def _zip(value: str) -> str:
    text = value.strip()
    if len(text) == 10 and text[5] == "-":  # ZIP+4
        text = text[:5]
    if len(text) != 5 or not (text.isascii() and text.isdigit()):
        raise ValueError(_("the ZIP code is not 5 digits"))
    return text


def district_zips_import(*, content: bytes) -> DistrictImport:
    """Load a ZIP → district table from a CSV with the columns ZIP, district kind and district
    (a ZIP in several districts has a row for each). New districts are created; rows already
    there are left as they are. Every row's fate is reported."""
    if len(content) > MAX_DISTRICT_FILE_BYTES:
        raise DistrictImportError(
            _("The file is larger than %(n)s MB.") % {"n": MAX_DISTRICT_FILE_BYTES // 2**20}
        )
    try:
        table = read_table(content, kind="districts")
    except CsvFileError as exc:
        raise DistrictImportError(str(exc)) from None
    header = [h.strip().casefold().replace(" ", "_") for h in table.header]
    cols = [_column(header, names) for names in (_ZIP_COLUMNS, _KIND_COLUMNS, _DISTRICT_COLUMNS)]
    if None in cols:
        raise DistrictImportError(
            _("The file needs the columns “zip”, “district_kind” and “district”.")
        )
    if len(table.records) > MAX_DISTRICT_ROWS:
        raise DistrictImportError(_("At most %(n)s rows per file.") % {"n": MAX_DISTRICT_ROWS})
    result = DistrictImport()
    wanted: dict[tuple[str, str, str], int] = {}  # (zip, kind, district) → first line
    for line, cells in table.records:
        try:
            zip_code, kind_text, name = (cells[c] if c < len(cells) else "" for c in cols)
            kind = district_kind(kind_text)
            if kind is None:
                raise ValueError(_("unknown kind of district “%(k)s”") % {"k": kind_text[:40]})
            key = (_zip(zip_code), kind, _district_name(name))
        except ValueError as exc:
            result.rejected.append((line, str(exc)))
            continue
        if key in wanted:
            result.rejected.append((line, _("repeats line %(n)s") % {"n": wanted[key]}))
            continue
        wanted[key] = line
    with transaction.atomic():
        districts = {}
        for kind, name in sorted({(k, n) for _z, k, n in wanted}):
            district, created = District.objects.get_or_create(kind=kind, name=name)
            districts[(kind, name)] = district
            result.districts_created += created
        rows = [DistrictZip(zip_code=z, district=districts[(k, n)]) for z, k, n in wanted]
        existing = set(
            DistrictZip.objects.filter(
                zip_code__in={z for z, _k, _n in wanted},
                district__in=[d.pk for d in districts.values()],
            ).values_list("zip_code", "district_id")
        )
        new = [r for r in rows if (r.zip_code, r.district.pk) not in existing]
        DistrictZip.objects.bulk_create(new, ignore_conflicts=True, batch_size=5000)
        result.added, result.existing = len(new), len(rows) - len(new)
    result.rejected.sort()
    return result


def district_shapes_import(
    *, content: bytes, kind: str, name_property: str = "name"
) -> DistrictImport:
    """Load district shapes from GeoJSON (a FeatureCollection, one Feature per district, its
    name in ``properties[name_property]``, optionally its own ``kind``). A district already
    there gets the new shape. Every feature's fate is reported (its number, from 1)."""
    if len(content) > MAX_SHAPES_FILE_BYTES:
        raise DistrictImportError(
            _("The file is larger than %(n)s MB.") % {"n": MAX_SHAPES_FILE_BYTES // 2**20}
        )
    if kind not in District.Kind.values:
        raise DistrictImportError(_("Choose the kind of district."))
    try:
        geo = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise DistrictImportError(_("The file is not GeoJSON (JSON text).")) from None
    features = geo.get("features") if isinstance(geo, dict) else None
    if isinstance(geo, dict) and geo.get("type") == "Feature":
        features = [geo]
    if not isinstance(features, list) or not features:
        raise DistrictImportError(_("The file has no features (districts)."))
    if len(features) > MAX_SHAPES:
        raise DistrictImportError(_("At most %(n)s districts per file.") % {"n": MAX_SHAPES})
    result = DistrictImport()
    shapes: dict[tuple[str, str], tuple[int, list]] = {}
    for number, feature in enumerate(features, start=1):
        try:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if not isinstance(props, dict):
                props = {}
            name = _district_name(str(props.get(name_property) or props.get("district") or ""))
            own_kind = district_kind(str(props.get("kind") or "")) or kind
            ring = geojson_ring(feature)
        except ValueError as exc:
            result.rejected.append((number, str(exc)))
            continue
        if (own_kind, name) in shapes:
            line = shapes[(own_kind, name)][0]
            result.rejected.append((number, _("repeats feature %(n)s") % {"n": line}))
            continue
        shapes[(own_kind, name)] = (number, ring)
    with transaction.atomic():
        for (own_kind, name), (_n, ring) in shapes.items():
            _d, created = District.objects.update_or_create(
                kind=own_kind, name=name, defaults={"shape": ring}
            )
            result.added += created
            result.updated += not created
            result.districts_created += created
    return result


# --- targets and the call page ------------------------------------------------------------------


def target_save(*, by, target: Target | None = None, campaigns=None, **fields) -> Target:
    with transaction.atomic():
        target = target or Target()
        for name, value in fields.items():
            setattr(target, name, value)
        target.full_clean()
        target.save()
        if campaigns is not None:
            target.campaigns.set(campaigns)
    return target


def pressure_page_save(*, by, campaign: Campaign, targets=None, **fields) -> PressurePage:
    """Create or update the campaign's call page; ``targets`` (if given) become the targets the
    campaign names (those of other campaigns keep theirs)."""
    with transaction.atomic():
        page = PressurePage.objects.filter(campaign=campaign).first() or PressurePage(
            campaign=campaign
        )
        for name, value in fields.items():
            setattr(page, name, value)
        page.full_clean()
        page.save()
        if targets is not None:
            campaign.targets.set(targets)
    return page


# --- actions ------------------------------------------------------------------------------------


def pressure_action_record(
    *,
    campaign: Campaign,
    target: Target,
    contact: Contact,
    kind: str,
    source: str,
    notes: str = "",
    by=None,
    recruiter_id: int | None = None,
    consent_text: str = "",
    at: dt.datetime | None = None,
) -> tuple[PressureAction, bool]:
    """Record the action once a day per person, target, kind and campaign; returns
    ``(action, created)``. The target must be one the campaign names."""
    if kind not in PressureAction.Kind.values:
        raise ValidationError({"kind": [_("Choose what they did.")]})
    if not target.campaigns.filter(pk=campaign.pk).exists():
        raise ValidationError({"target": [_("Choose one of this campaign's targets.")]})
    at = at or timezone.now()
    day = timezone.localdate(at)
    if recruiter_id == contact.pk:
        recruiter_id = None  # nobody recruits themselves
    key = {"campaign": campaign, "target": target, "contact": contact, "kind": kind, "day": day}
    # One statement, as ``signature_record``: the action (``ON CONFLICT DO NOTHING``: a second
    # tap racing the first is a no-op, never an error) with its ladder activity.
    with transaction.atomic(savepoint=False):
        action, created, _ids = insert_or_update(
            PressureAction(
                **key,
                source=source,
                notes=notes.strip()[:MAX_NOTES],
                occurred_at=at,
                logged_by=by if getattr(by, "pk", None) else None,
                recruited_by_id=recruiter_id,
                consent_text=consent_text[:400],
                consent_at=at if consent_text else None,
            ),
            conflict=["campaign", "target", "contact", "kind", "day"],
            then=activity_for_new_row(
                contact_id=contact.pk,
                kind=Activity.Kind.PRESSURE_ACTION,
                source="pressure_action",
                occurred_at=at,
            ),
        )
        if not created:
            return PressureAction.objects.get(**key), False
        activity_recorded(contact.pk)
    return action, True


def pressure_action_public(
    *,
    page: PressurePage,
    target: Target,
    kind: str,
    data: SignerInput,
    notes: str = "",
    recruiter_id: int | None = None,
) -> tuple[PressureAction, bool]:
    """ "I called / I wrote" on the public page: match or create the person (as a petition
    signer is), then record the action once."""
    if kind not in (PressureAction.Kind.CALL, PressureAction.Kind.EMAIL):
        raise ValidationError(_("Tell us whether you called or wrote."))
    campaign = page.campaign
    phone, email = _normalized(
        RsvpInput(first_name=data.first_name, phone=data.phone, email=data.email)
    )
    consent = str(CONTACT_CONSENT_TEXT)[:400] if data.consent else ""
    with transaction.atomic():
        contact, _new = person_match_or_create(
            first_name=data.first_name.strip(),
            last_name=data.last_name.strip(),
            phone=phone,
            email=email,
            hub=campaign.hubs.order_by("pk").first(),
            source=f"Call page: {campaign.name}",
            recruiter_id=recruiter_id,
            sms_ok=data.consent and bool(phone),
            address={"zip_code": data.zip_code.strip()[:10]},
        )
        return pressure_action_record(
            campaign=campaign,
            target=target,
            contact=contact,
            kind=kind,
            source=PressureAction.Source.PUBLIC,
            notes=notes,
            recruiter_id=recruiter_id,
            consent_text=consent,
        )
