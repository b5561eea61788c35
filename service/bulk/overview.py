"""overview.html of a bulk run: counts, a coverage heatmap (communes x parent task groups, inline
SVG: no script, no CDN, opens offline), flags by type per document and the failures with reasons."""
from __future__ import annotations

import math
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from service.bulk.labels import LEVEL_TITLES
from service.bulk.summary import FLAG_TYPES, Tables
from service.bulk.workbook import sorted_documents
from service.ui.labels import FLAG_TYPES as FLAG_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"
CELL_W, CELL_H, LABEL_W, HEADER_H = 46, 24, 300, 30


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _cell_colour(covered: bool, score: float) -> str:
    """Covered groups in greens (darker = closer match), uncovered in reds."""
    strength = max(0.0, min(1.0, score))
    if covered:
        light = 80 - int(45 * strength)
        return f"hsl(140, 55%, {light}%)"
    light = 88 - int(30 * (1 - strength))
    return f"hsl(4, 70%, {light}%)"


def implementing(documents: pd.DataFrame) -> pd.DataFrame:
    """Documents that implement the parents (analysed, a plan, with parent groups to cover), in the order
    a director reads them: by level, province, label."""
    if documents.empty or "groups_total" not in documents.columns:
        return documents.iloc[0:0]
    rows = documents[documents["groups_total"].notna()]
    if "not_implementing" in rows.columns:
        rows = rows[rows["not_implementing"].isna()]
    return sorted_documents(rows)


def _row_heading(row: pd.Series) -> str:
    level = LEVEL_TITLES.get(int(row["level_rank"]), "") if _present(row.get("level_rank")) else ""
    province = row.get("province") if _present(row.get("province")) else "tỉnh chưa rõ"
    return f"{level} · {province}"


def coverage_heatmap_svg(documents: pd.DataFrame, groups: dict[str, str]) -> str:
    """One row per implementing document (grouped under level · province headings), one column per
    parent task group; a cell says whether the document carries the group (✓/✗) and links to the
    document's findings in the reviewer UI."""
    analysed = implementing(documents)
    if analysed.empty or not groups:
        return ""
    headings = analysed.apply(_row_heading, axis=1).tolist()
    n_rows = len(analysed) + len(dict.fromkeys(headings))
    width = LABEL_W + CELL_W * len(groups) + 10
    height = HEADER_H + CELL_H * n_rows + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Độ bao phủ nhóm nhiệm vụ theo văn bản">',
             '<style>text{font:12px sans-serif}.h{font-weight:bold;text-anchor:middle}.c{text-anchor:middle}'
             '.g{font-weight:bold;fill:#444}</style>']
    for g, (group_id, title) in enumerate(groups.items()):
        x = LABEL_W + CELL_W * g + CELL_W / 2
        parts.append(f'<text class="h" x="{x}" y="{HEADER_H - 10}"><title>{escape(f"{group_id}. {title}")}</title>'
                     f'{escape(group_id)}</text>')
    r, previous = 0, None
    for heading, (_, row) in zip(headings, analysed.iterrows()):
        if heading != previous:
            parts.append(f'<text class="g" x="2" y="{HEADER_H + CELL_H * r + CELL_H * 0.68}">{escape(heading)}</text>')
            r, previous = r + 1, heading
        y = HEADER_H + CELL_H * r
        r += 1
        label = str(row.get("label") if _present(row.get("label")) else row["commune"])
        shown = label if len(label) <= 46 else label[:45] + "…"
        parts.append(f'<text x="12" y="{y + CELL_H * 0.68}"><title>{escape(label)} ({escape(str(row["name"]))})</title>'
                     f'{escape(shown)}</text>')
        link = f"/ui/analyses/{row['analysis_id']}" if _present(row.get("analysis_id")) else None
        for g, group_id in enumerate(groups):
            covered_value, score_value = row.get(f"group_{group_id}"), row.get(f"group_{group_id}_score")
            x = LABEL_W + CELL_W * g
            if not _present(covered_value):
                parts.append(f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="#eee"/>')
                continue
            covered, score = bool(covered_value), float(score_value) if _present(score_value) else 0.0
            tip = (f"{label} · nhóm {group_id}: " + ("có trong kế hoạch" if covered else "chưa có") +
                   f" (đoạn gần nhất giống {score:.0%}) — bấm để xem các cờ")
            cell = (f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" '
                    f'fill="{_cell_colour(covered, score)}"><title>{escape(tip)}</title></rect>'
                    f'<text class="c" x="{x + CELL_W / 2 - 1}" y="{y + CELL_H * 0.68}">{"✓" if covered else "✗"}</text>')
            parts.append(f'<a href="{escape(link)}">{cell}</a>' if link else cell)
    parts.append("</svg>")
    return "".join(parts)


def _flag_columns(documents: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, Vietnamese label) of the flag types that occur at least once."""
    out = []
    for flag_type in FLAG_TYPES:
        column = f"flags_{flag_type}"
        if column in documents.columns and documents[column].fillna(0).sum() > 0:
            out.append((column, FLAG_LABELS.get(flag_type, flag_type)))
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: (v if _present(v) else None) for k, v in row.items()} for row in frame.to_dict("records")]


def render_overview(tables: Tables, counts: dict[str, int], *, source: str) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    documents = tables.documents
    failed = documents[documents["status"] == "failed"] if not documents.empty else documents
    apart = documents[documents["not_implementing"].notna() & (documents["status"] != "failed")] \
        if "not_implementing" in documents.columns else documents.iloc[0:0]
    return env.get_template("overview.html.j2").render(
        source=source, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), counts=counts,
        heatmap=Markup(coverage_heatmap_svg(documents, tables.groups)), groups=tables.groups,
        flag_columns=_flag_columns(documents), documents=_records(implementing(documents)),
        apart=_records(sorted_documents(apart)), failures=_records(failed),
        flag_totals=tables.flags["type"].value_counts().to_dict() if not tables.flags.empty else {},
        decision_totals=tables.flags["status"].value_counts().to_dict() if "status" in tables.flags else {},
        flag_labels=FLAG_LABELS, level_titles=LEVEL_TITLES)


def write_overview(tables: Tables, counts: dict[str, int], out_dir: Path, *, source: str) -> Path:
    path = out_dir / "overview.html"
    path.write_text(render_overview(tables, counts, source=source), encoding="utf-8")
    return path
