"""OSDI people into Organizer, through the import's own matcher and writer.

Each page of people becomes import ``Row``s and goes through ``plan_people`` and
``apply_plan`` (contacts/services/imports): matched by external ID (the person's id on the
server, as an Action Network ``ExternalId``), then phone, then email; a matched person only
gains data (blank fields filled, new phones, emails and IDs added), nothing is overwritten.
So a sync and a CSV export of the same list give the same people."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from api.sync.client import remote_id
from contacts.models import Contact, ExternalId, Phone
from contacts.services.imports.parse import Row
from contacts.services.imports.plan import Plan, plan_people
from contacts.services.imports.write import apply_plan
from contacts.services.people import normalize_email
from organizer.lib.phones import InvalidPhone, normalize_phone

SYSTEM = ExternalId.System.ACTION_NETWORK
_PHONE_KINDS = {"mobile": Phone.Kind.MOBILE, "home": Phone.Kind.HOME, "work": Phone.Kind.WORK}


def _bounded(name: str, value) -> str:
    text = str(value or "").strip()
    return text[: Contact._meta.get_field(name).max_length]


def _first(items) -> dict:
    items = [i for i in (items or []) if isinstance(i, dict)]
    primary = [i for i in items if i.get("primary")]
    return (primary or items or [{}])[0]


def to_row(line: int, record: dict, problems: list[str]) -> Row | None:
    """One OSDI person as an import row (None, with the reason in ``problems``, if unusable)."""
    rid = remote_id(record)
    if not rid:
        problems.append(f"A person without an id (record {line}).")
        return None
    fields = {
        "first_name": _bounded("first_name", record.get("given_name")),
        "last_name": _bounded("last_name", record.get("family_name")),
    }
    address = _first(record.get("postal_addresses"))
    lines = address.get("address_lines") or []
    fields["street"] = _bounded("street", lines[0] if lines else "")
    fields["city"] = _bounded("city", address.get("locality"))
    fields["state"] = _bounded("state", address.get("region"))
    fields["zip_code"] = _bounded("zip_code", address.get("postal_code"))
    fields = {k: v for k, v in fields.items() if v}
    phones: dict[str, tuple[str, str]] = {}
    for phone in record.get("phone_numbers") or []:
        number = str((phone or {}).get("number") or "").strip()[:40]
        if not number:
            continue
        try:
            kind = _PHONE_KINDS.get(str(phone.get("number_type", "")).lower(), Phone.Kind.MOBILE)
            phones.setdefault(normalize_phone(number), (number, kind))
        except InvalidPhone:
            problems.append(f"Person {rid}: the phone “{number}” is not a phone number.")
    emails: list[str] = []
    for email in record.get("email_addresses") or []:
        address_text = str((email or {}).get("address") or "").strip()[:254]
        if not address_text:
            continue
        try:
            emails.append(normalize_email(address_text))
        except ValidationError:
            problems.append(f"Person {rid}: “{address_text[:80]}” is not an email address.")
    if not (fields or phones or emails):
        problems.append(f"Person {rid} has no name, phone or email.")
        return None
    return Row(
        line=line,
        fields=fields,
        phones=phones,
        emails=list(dict.fromkeys(emails)),
        ids=[(SYSTEM, rid)],
        tags=[],
        languages=[],
    )


def people_save(*, by, records: list[dict], source: str) -> tuple[dict, list[str]]:
    """Write one page of people (call inside a transaction). Returns the counts and the
    problems (rows the matcher refused say why)."""
    problems: list[str] = []
    rows = [row for n, r in enumerate(records, 1) if (row := to_row(n, r, problems))]
    plan = Plan(total_rows=len(rows))
    plan_people(rows, plan)
    apply_plan(plan, by=by, filename=source, source=source)
    problems.extend(f"Person {rows_by_line(rows, r.line)}: {r.reason}" for r in plan.rejections)
    counts = {
        "created": len(plan.to_create),
        "updated": len(plan.to_update),
        "unchanged": len(plan.unchanged),
        "rejected": len(plan.rejections) + (len(records) - len(rows)),
    }
    return counts, problems


def rows_by_line(rows: list[Row], line: int) -> str:
    for row in rows:
        if row.line == line:
            return row.ids[0][1]
    return str(line)


def contacts_by_remote_id(remote_ids: list[str]) -> dict[str, int]:
    return dict(
        ExternalId.objects.filter(system=SYSTEM, value__in=remote_ids).values_list(
            "value", "contact_id"
        )
    )
