"""People and everything the organization records about them (see ``people``), the volunteer
ladder and engagement score (``ladder``), and follow-up reminders (``reminders``)."""

from contacts.models.ladder import (
    Activity,
    ActivityWeight,
    LadderMove,
    LadderStage,
    Milestone,
    RescoreJob,
    ScoringSettings,
)
from contacts.models.people import (
    Assessment,
    Contact,
    ContactEvent,
    Email,
    ExportLog,
    ExternalId,
    FollowUp,
    HubMember,
    ImportJob,
    ImportRejection,
    Interaction,
    Issue,
    Phone,
    Relationship,
    Tag,
)
from contacts.models.reminders import ReminderDelivery, ReminderItem
from contacts.models.search import SearchDoc

__all__ = [
    "Activity",
    "ActivityWeight",
    "Assessment",
    "Contact",
    "ContactEvent",
    "Email",
    "ExportLog",
    "ExternalId",
    "FollowUp",
    "HubMember",
    "ImportJob",
    "ImportRejection",
    "Interaction",
    "Issue",
    "LadderMove",
    "LadderStage",
    "Milestone",
    "Phone",
    "Relationship",
    "ReminderDelivery",
    "ReminderItem",
    "RescoreJob",
    "ScoringSettings",
    "SearchDoc",
    "Tag",
]
