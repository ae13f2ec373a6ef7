"""Forms for hubs. One section per part of the app."""

from __future__ import annotations

import datetime as dt
import json
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from hubs.models import Department, Hub, HubRole, Shift
from hubs.services.turf import DOORS_IMPORT_MAX_ROWS, TurfCut
from organizer.lib.csvfiles import CsvFileError, check_size

# --- turf: doors import, cutting, splitting, assignment, rebalancing ------------------------

_LIST_SPLIT = re.compile(r"[,;\n]+")


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in _LIST_SPLIT.split(value or "") if item.strip()]


class DoorsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Address list (CSV)"),
        help_text=_(
            "Columns: street number and street (or one “address” column), unit, city, state, "
            "zip, lat, lon, election district, building id. At most %(rows)s rows per file."
        )
        % {"rows": f"{DOORS_IMPORT_MAX_ROWS:,}"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except CsvFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class TurfCutForm(forms.Form):
    name = forms.CharField(label=_("Turf name"), max_length=120)
    area = forms.CharField(
        label=_("Shape (coordinates)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Filled in when you draw on the map. By hand: [[lng, lat], [lng, lat], …]"),
    )
    zip_codes = forms.CharField(
        label=_("ZIP codes"), required=False, help_text=_("Comma-separated, e.g. 11103, 11105")
    )
    streets = forms.CharField(
        label=_("Streets"), required=False, help_text=_("Comma-separated, e.g. 31st St, Ditmars")
    )
    election_districts = forms.CharField(
        label=_("Election districts"), required=False, help_text=_("Comma-separated")
    )
    building_refs = forms.CharField(
        label=_("Building IDs"), required=False, help_text=_("Comma-separated")
    )

    def __init__(self, *args, require_name: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = require_name

    def clean_area(self) -> list[tuple[float, float]] | None:
        raw = self.cleaned_data["area"].strip()
        if not raw:
            return None
        try:
            points = [(float(lng), float(lat)) for lng, lat in json.loads(raw)]
        except (ValueError, TypeError):
            raise forms.ValidationError(
                _("The shape must be a list of [longitude, latitude] pairs.")
            ) from None
        if len(points) > 1 and points[0] == points[-1]:
            points = points[:-1]
        if len(points) < 3:
            raise forms.ValidationError(_("A shape needs at least three corners."))
        if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
            raise forms.ValidationError(_("A corner of the shape is off the map."))
        return points

    def clean(self):
        data = super().clean()
        if not self.errors and self.cut().is_empty:
            raise forms.ValidationError(
                _("Draw a shape on the map or fill at least one list (ZIP codes, streets, …).")
            )
        return data

    def cut(self) -> TurfCut:
        data = self.cleaned_data
        return TurfCut(
            polygon=data.get("area"),
            zip_codes=_split_list(data.get("zip_codes", "")),
            streets=_split_list(data.get("streets", "")),
            election_districts=_split_list(data.get("election_districts", "")),
            building_refs=_split_list(data.get("building_refs", "")),
        )


class SplitForm(forms.Form):
    size = forms.IntegerField(
        label=_("Doors per piece (about)"), min_value=1, max_value=5000, initial=50
    )


def _members(hub: Hub):
    return get_user_model().objects.filter(hub_roles__hub=hub).order_by("name", "email")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _members(hub)


class RebalanceForm(forms.Form):
    assignees = forms.ModelMultipleChoiceField(
        label=_("Move the remaining doors to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pick one person, or several to split the doors among them."),
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = _members(hub)


# --- end of turf section --------------------------------------------------------------------


# --- hubs and workplace (hub page, members, workplace map, structure tests) -----------------

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class HubForm(forms.ModelForm):
    """Staff create and edit hubs; captains edit only ``CAPTAIN_FIELDS`` of their own."""

    CAPTAIN_FIELDS = (
        "description",
        "meeting_time",
        "meeting_place",
        "majority_threshold",
        "leader_span",
    )

    class Meta:
        model = Hub
        fields = [
            "name",
            "kind",
            "description",
            "meeting_time",
            "meeting_place",
            "majority_threshold",
            "leader_span",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, captain_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["majority_threshold"].max_value = 100
        self.fields["majority_threshold"].validators.append(MaxValueValidator(100))
        self.fields["majority_threshold"].widget.attrs["max"] = 100
        self.fields["leader_span"].validators.append(MinValueValidator(1))
        self.fields["leader_span"].widget.attrs["min"] = 1
        if captain_only:
            for name in list(self.fields):
                if name not in self.CAPTAIN_FIELDS:
                    del self.fields[name]


class MemberAddForm(forms.Form):
    contact = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Role in the hub"),
        choices=[("member", _("Member")), ("leader", _("Leader"))],
        initial="member",
    )
    since = forms.DateField(
        label=_("Member since"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=HubRole.Role.choices)


class WorksiteForm(forms.Form):
    name = forms.CharField(label=_("Worksite name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class DepartmentForm(forms.Form):
    worksite = forms.ModelChoiceField(label=_("Worksite"), queryset=Hub.objects.none())
    name = forms.CharField(label=_("Department name"), max_length=120)

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worksite"].queryset = hub.worksites.all()


class ShiftForm(DepartmentForm):
    name = forms.CharField(label=_("Shift name"), max_length=60)


HEADCOUNT_MAX = 10_000_000


def _headcount_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=HEADCOUNT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip


class HeadcountForm(forms.Form):
    """How many work in the unit and in each department, placed or not (empty: unknown)."""

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = list(
            Department.objects.filter(worksite__hub=hub)
            .select_related("worksite")
            .order_by("worksite__name", "name")
        )
        self.fields["unit"] = _headcount_field(_("Workers in the whole unit"))
        self.initial.setdefault("unit", hub.headcount)
        for department in self.departments:
            name = f"department_{department.pk}"
            self.fields[name] = _headcount_field(f"{department} ({department.worksite})")
            self.initial.setdefault(name, department.headcount)

    def values(self) -> dict:
        """The service's arguments: ``unit`` and ``departments`` ({id: headcount or None})."""
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "departments": {d.pk: data[f"department_{d.pk}"] for d in self.departments},
        }


class PlacementForm(forms.Form):
    contact = forms.IntegerField(widget=forms.HiddenInput)
    worksite = forms.ModelChoiceField(label=_("Worksite"), queryset=Hub.objects.none())
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    shift = forms.ModelChoiceField(label=_("Shift"), queryset=Shift.objects.none(), required=False)

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worksite"].queryset = hub.worksites.all()
        self.fields["department"].queryset = Department.objects.filter(
            worksite__hub=hub
        ).select_related("worksite")
        self.fields["shift"].queryset = Shift.objects.filter(worksite__hub=hub).select_related(
            "worksite"
        )


class RosterForm(forms.Form):
    """A roster to place: pasted rows (tab-separated from a spreadsheet, or CSV) or a file."""

    worksite = forms.ModelChoiceField(label=_("Worksite"), queryset=Hub.objects.none())
    roster = forms.CharField(
        label=_("Paste the roster"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "Copy the rows from a spreadsheet, header line first: Name, Phone, Email, "
            "Department, Shift (any order; phone or email finds people already known)."
        ),
    )
    file = forms.FileField(label=_("Or upload a CSV file"), required=False)

    def __init__(self, *args, hub: Hub, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        worksites = list(hub.worksites.all())
        self.fields["worksite"].queryset = hub.worksites.all()
        self.fields["worksite"].empty_label = _("Choose a worksite")
        if len(worksites) == 1:
            self.fields["worksite"].initial = worksites[0].pk
        self.has_worksites = bool(worksites)
        self.fields["roster"].max_length = max_bytes

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > self.max_bytes:
                raise forms.ValidationError(
                    _("The file is larger than %(kb)s KB. Place the roster in parts.")
                    % {"kb": self.max_bytes // 1024}
                )
            data["content"] = upload.read()
        elif (data.get("roster") or "").strip():
            data["content"] = data["roster"].encode("utf-8")
        elif not self.errors:
            raise forms.ValidationError(_("Paste the roster or choose a file."))
        return data


class AssessmentForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Assessment"), coerce=int, choices=[(n, str(n)) for n in range(1, 6)]
    )


class LeaderAssignForm(forms.Form):
    leader = forms.IntegerField(label=_("Organized by"), required=False)


class StructureTestForm(forms.Form):
    name = forms.CharField(
        label=_("What is being tested"),
        max_length=200,
        initial=_("Everyone reached within 24 hours"),
    )
    deadline = forms.DateTimeField(
        label=_("Reach everyone by"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Leave empty for 24 hours from now."),
    )

    def clean_deadline(self) -> dt.datetime:
        return self.cleaned_data.get("deadline") or timezone.now() + dt.timedelta(hours=24)


# --- end of hubs and workplace section ------------------------------------------------------


# --- inviting users (the invite page places them in hubs) -----------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ORGANIZER)
    hubs = forms.ModelMultipleChoiceField(
        label=_("Hubs"),
        queryset=Hub.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their role in each hub follows their role. Staff see every hub."),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
