"""The native API under /api/v1/: what OSDI has no words for."""
