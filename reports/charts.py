"""Geometry for the server-rendered SVG charts (no chart library, no CDN): bar lengths and
positions computed here so the templates only place shapes."""

from __future__ import annotations

BAR_LEFT = 120
BAR_SPACE = 115  # of the 300-unit-wide view box, after the label column; the value follows
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


CELL_W, CELL_H, LABEL_W = 60, 20, 70


def cohort_grid(rows, offsets) -> dict:
    """A heat grid: one row per cohort month, one column per offset, shaded by the share still
    active (empty for months that have not begun)."""
    cells, labels = [], []
    for i, r in enumerate(rows):
        y = 16 + i * CELL_H
        labels.append({"y": y + 14, "text": r.month.strftime("%Y-%m")})
        for j, k in enumerate(offsets):
            pct = r.pct(k)
            cells.append(
                {
                    "x": LABEL_W + j * CELL_W,
                    "y": y,
                    "opacity": round(0.08 + 0.9 * (pct or 0) / 100, 2),
                    "text": "–" if pct is None else f"{pct:g}%",
                    "empty": pct is None,
                }
            )
    heads = [{"x": LABEL_W + j * CELL_W + 4, "text": f"+{k}"} for j, k in enumerate(offsets)]
    return {
        "grid": {"cells": cells, "labels": labels, "heads": heads},
        "grid_w": LABEL_W + CELL_W * len(offsets),
        "grid_h": 16 + CELL_H * max(len(rows), 1),
        "cell_w": CELL_W - 2,
        "cell_h": CELL_H - 2,
    }
