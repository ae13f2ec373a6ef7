"""Geometry for the server-rendered SVG charts (no chart library, no CDN): bar lengths and
positions computed here so the templates only place shapes."""

from __future__ import annotations

BAR_LEFT = 120
BAR_SPACE = 140  # of the 300-unit-wide view box, after the label column; the value follows
ROW_HEIGHT = 22


def bars(values: list[tuple[str, float | None]]) -> dict:
    top = max((v or 0 for _n, v in values), default=0)
    rows = []
    for i, (name, value) in enumerate(values):
        width = round(BAR_SPACE * (value or 0) / top, 1) if top else 0
        rows.append(
            {
                "name": name,
                "rate": value,
                "y": i * ROW_HEIGHT,
                "width": width,
                "text_x": BAR_LEFT + width + 4,
            }
        )
    return {"bars": rows, "chart_h": max(len(rows) * ROW_HEIGHT, ROW_HEIGHT)}
