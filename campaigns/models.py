from __future__ import annotations

# Campaigns, events, petitions and goals arrive with their own issue.
