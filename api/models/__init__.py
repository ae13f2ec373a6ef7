"""The api app's models: one module per concept (tokens here; webhooks add their own)."""

from api.models.tokens import ApiToken

__all__ = ["ApiToken"]
