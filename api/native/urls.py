from __future__ import annotations

app_name = "native"

urlpatterns: list = []
