from __future__ import annotations

app_name = "osdi"

urlpatterns: list = []
