"""What a column of a people file can be mapped to, and the mapping guessed from its header."""

from __future__ import annotations

import re

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import ExternalId
from organizer.lib.csvfiles import CsvFileError
from organizer.lib.text import fold

IGNORE = "ignore"
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "neighborhood",
    "employer",
    "union",
)
SYSTEMS = dict(ExternalId.System.choices)
TARGETS: list[tuple[str, object]] = [  # labels are lazy: translated when shown
    (IGNORE, gettext_lazy("— ignore this column —")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("full_name", gettext_lazy("Full name (split into first and last)")),
    ("preferred_name", gettext_lazy("Preferred name")),
    ("pronouns", gettext_lazy("Pronouns")),
    ("phone", gettext_lazy("Phone")),
    ("phone2", gettext_lazy("Second phone")),
    ("email", gettext_lazy("Email")),
    ("email2", gettext_lazy("Second email")),
    ("street", gettext_lazy("Street address")),
    ("unit", gettext_lazy("Unit / apartment")),
    ("city", gettext_lazy("City")),
    ("state", gettext_lazy("State")),
    ("zip_code", gettext_lazy("ZIP code")),
    ("neighborhood", gettext_lazy("Neighborhood")),
    ("employer", gettext_lazy("Employer / workplace")),
    ("union", gettext_lazy("Union")),
    ("membership_status", gettext_lazy("Membership status")),
    ("member_since", gettext_lazy("Member since (date)")),
    ("tags", gettext_lazy("Tags (separated by commas)")),
    ("languages", gettext_lazy("Languages (separated by commas)")),
    *((f"id:{system}", format_lazy("ID — {}", label)) for system, label in SYSTEMS.items()),
    ("source", gettext_lazy("Source")),
]
TARGET_LABELS = dict(TARGETS)
NAME_PHONE_EMAIL = {"first_name", "last_name", "full_name", "phone", "phone2", "email", "email2"}

# Header names (folded, letters and digits only) that map to each target.
ALIASES: dict[str, str] = {
    "first_name": "firstname first givenname fname forename nombre",
    "last_name": "lastname last surname familyname lname apellido apellidos",
    "full_name": "name fullname contactname personname displayname",
    "preferred_name": "preferredname nickname goesby",
    "pronouns": "pronouns pronoun",
    "phone": (
        "phone phonenumber can2phone cell cellphone cellnumber cellphonenumber mobile "
        "mobilephone mobilenumber homephone workphone preferredphone primaryphone "
        "telephone tel telefono smsnumber phone2 secondphone otherphone alternatephone"
    ),
    "email": (
        "email emailaddress mail primaryemail personalemail workemail preferredemail "
        "correo correoelectronico email2 secondemail otheremail alternateemail"
    ),
    "street": (
        "address street streetaddress address1 addressline1 addr1 can2useraddress "
        "can2address mailingaddress homeaddress direccion"
    ),
    "unit": "unit apt apartment address2 addressline2 addr2 suite aptunit",
    "city": "city town can2usercity ciudad",
    "state": "state stateprovince province can2state can2stateabbreviated",
    "zip_code": "zip zipcode zip5 postalcode postcode postal zippostalcode",
    "neighborhood": "neighborhood neighbourhood barrio",
    "employer": "employer workplace company employername worksite",
    "union": "union unionlocal local",
    "membership_status": "membershipstatus memberstatus membership",
    "member_since": "membersince joindate joined datejoined memberjoindate",
    "tags": "tags tag labels",
    "languages": "languages language languagesspoken preferredlanguage idioma",
    "source": "source sourcecode",
    "id:van": "vanid van myvotersvanid mycampaignvanid",
    "id:action_network": "actionnetworkid uuid anid actionnetworkuuid",
    "id:mobilize": "mobilizeid personid mobilizepersonid",
    "id:solidarity_tech": "solidaritytechid stid",
    "id:member_number": "membernumber memberid membershipnumber memberno akid",
    "id:other": "externalid",
}
_ALIAS_TO_TARGET = {a: target for target, aliases in ALIASES.items() for a in aliases.split()}
_SECOND = {"phone": "phone2", "email": "email2"}
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(name: str) -> str:
    """``"First Name"``, ``"first_name"`` and ``" FIRST-NAME "`` all become ``"firstname"``."""
    return _NOT_ALNUM.sub("", fold(name))


def detect_format(header: list[str]) -> str:
    keys = {header_key(h) for h in header}
    raw = {h.strip() for h in header}
    if "vanid" in keys:
        return "VAN / EveryAction"
    if keys & {"can2phone", "actionnetworkid", "uuid", "can2useraddress"}:
        return "Action Network"
    if keys & {"personid", "mobilizeid", "mobilizepersonid"}:
        return "Mobilize"
    if "phone_number" in raw or keys & {"solidaritytechid"}:
        return "Solidarity Tech"
    return "Spreadsheet"


def detect_mapping(header: list[str]) -> tuple[str, list[str]]:
    """The export format the header looks like, and a target for each column."""
    source_format = detect_format(header)
    targets: list[str] = []
    taken: set[str] = set()
    for name in header:
        key = header_key(name)
        target = _ALIAS_TO_TARGET.get(key, IGNORE)
        if key == "id" and source_format == "Solidarity Tech":
            target = "id:solidarity_tech"
        if target in taken and target in _SECOND:
            target = _SECOND[target]
        if target in taken and target != IGNORE:
            target = IGNORE  # a second "City" column: the person maps it by hand if they want
        taken.add(target)
        targets.append(target)
    return source_format, targets


def check_mapping(targets: list[str]) -> None:
    if not NAME_PHONE_EMAIL & set(targets):
        raise CsvFileError(_("Map at least one column to a name, a phone or an email."))
    unknown = set(targets) - set(TARGET_LABELS)
    if unknown:
        raise CsvFileError(
            _("Unknown column target: %(targets)s.") % {"targets": ", ".join(sorted(unknown))}
        )
