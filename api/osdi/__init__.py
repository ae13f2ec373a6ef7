"""Action Network API v2 (OSDI): HAL+JSON resources under /api/v2/."""
