"""Campaign and event pages: ``campaigns`` (campaigns and goals), ``events`` (events for
organizers), ``kiosk`` (sign-in at the door), ``public`` (no account: event and hub pages)."""
