"""The APIs: Action Network–compatible OSDI under /api/v2/ (``api.osdi``), the native API under
/api/v1/ (``api.native``), API tokens, outgoing webhooks and sync from Action Network.

The top layer: it reads and writes through the other apps' selectors and services, and nothing
imports it."""
