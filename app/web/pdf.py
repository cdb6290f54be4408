"""The PDF briefing for a strategy meeting (fpdf2): the picture and the chronology, as meeting mode shows them.

Every page carries the protective marking OFFICIAL-SENSITIVE at the top and the bottom; the first page is
stamped with the date and time, the user, the purpose and the legal gateway of the share, and with the time
the picture is as known at: "now" (when it was generated), or a past time, which then also heads every page
("AS KNOWN AT ...: not the current picture") so that no page is taken for today's picture. Every fact is
listed with its agency, its date and its FACT / OPINION marker. The content passed in is already reduced
for the meeting (``app.governance.meeting_view``): this module only lays it out.

The font is DejaVu Sans, which matplotlib (a declared dependency) ships, so names outside Latin-1 print.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.commands.case import known_at_banner

MARKING = "OFFICIAL-SENSITIVE"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Stamp:
    generated_at: datetime
    user: str
    role: str
    purpose: str
    gateway: str  # the readable label: "Children Act 1989 s47: ..."
    window: str
    as_known_at: datetime | None = None  # None: the current picture (as at generated_at)

    def known_at_text(self) -> str:
        if self.as_known_at is None:
            return (
                f"now (the current picture, as at {self.generated_at.strftime('%d/%m/%Y %H:%M %Z').strip()})"
            )
        return (
            f"{self.as_known_at:%d/%m/%Y %H:%M} UTC: what Jigsaw had learnt by then. Not the current picture."
        )


class _Briefing(FPDF):
    known_at: datetime | None = None

    def header(self) -> None:
        self.set_font("DejaVu", "B", 10)
        self.set_text_color(180, 0, 0)
        self.cell(0, 6, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.known_at is not None:
            self.set_font("DejaVu", "B", 9)
            self.cell(
                0,
                5,
                f"AS KNOWN AT {self.known_at:%d/%m/%Y %H:%M} UTC - NOT THE CURRENT PICTURE",
                align="C",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "B", 10)
        self.set_text_color(180, 0, 0)
        self.cell(0, 5, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"Jigsaw briefing - page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\r", " ").replace("\t", " ")


def picture_png(people: Sequence[Mapping[str, Any]], child_caption: str, child_id: str) -> bytes:
    """A small static drawing of the child and the people around (for the PDF; the app's graph is live)."""
    import matplotlib.pyplot as plt
    import networkx as nx

    matplotlib.use("Agg")
    g = nx.Graph()
    g.add_node(child_id, label=child_caption, colour="#0b3d91")
    for p in people:
        pid = str(p.get("person_id"))
        name = p.get("display_name") or " ".join(
            str(x) for x in (p.get("given_name"), p.get("family_name")) if x
        )
        age = p.get("age")
        label = f"{name or 'unnamed'}" + (f" ({age})" if age is not None else "")
        colour = "#c0392b" if p.get("risk_history") else "#e67e22" if p.get("hidden") else "#7f8c8d"
        if p.get("kind") in {"child", "unborn"}:
            colour = "#4a90d9"
        g.add_node(pid, label=label, colour=colour)
        g.add_edge(child_id, pid, label=_text(p.get("relationship"))[:30])
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    pos = nx.spring_layout(g, seed=7)
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#999999")
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=[g.nodes[n]["colour"] for n in g.nodes], node_size=420)
    nx.draw_networkx_labels(
        g,
        pos,
        ax=ax,
        labels={n: g.nodes[n]["label"] for n in g.nodes},
        font_size=8,
        verticalalignment="bottom",
    )
    nx.draw_networkx_edge_labels(g, pos, ax=ax, edge_labels=nx.get_edge_attributes(g, "label"), font_size=6)
    ax.axis("off")
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def briefing_pdf(
    stamp: Stamp,
    child: Mapping[str, Any],
    people: Sequence[Mapping[str, Any]],
    facts: Sequence[Mapping[str, Any]],
    risk: Mapping[str, Any] | None,
    picture: bytes | None = None,
) -> bytes:
    """The briefing as PDF bytes. ``facts`` carry ``marker`` (FACT / OPINION / UNMARKED)."""
    pdf = _Briefing(orientation="P", unit="mm", format="A4")
    pdf.known_at = stamp.as_known_at
    pdf.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title("Jigsaw strategy meeting briefing")
    pdf.set_author(stamp.user)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, "Strategy meeting briefing", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    banner = known_at_banner(stamp.as_known_at)
    if banner:
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_text_color(180, 0, 0)
        pdf.multi_cell(0, 5, banner, border=1, padding=2, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(35, 145), first_row_as_headings=False, line_height=5) as table:
        for label, value in (
            ("Generated", stamp.generated_at.strftime("%d/%m/%Y %H:%M %Z").strip()),
            ("By", f"{stamp.user} ({stamp.role})"),
            ("Purpose", stamp.purpose),
            ("Legal gateway", stamp.gateway),
            ("As known at", stamp.known_at_text()),
            ("Time window", stamp.window),
            ("Marking", MARKING),
        ):
            row = table.row()
            row.cell(label)
            row.cell(_text(value))
    pdf.ln(3)

    name = " ".join(str(x) for x in (child.get("given_name"), child.get("family_name")) if x)
    age = child.get("age")
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, "The child", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0,
        5,
        f"{name or 'unnamed'}"
        + (f", age {age}" if age is not None else "")
        + (f", area {child.get('area')}" if child.get("area") else "")
        + (f". Records held by: {', '.join(child.get('agencies') or [])}" if child.get("agencies") else ""),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)

    if picture:
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 7, "The picture", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.image(io.BytesIO(picture), w=170)
        pdf.ln(2)

    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, "People around the child", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8)
    if people:
        with pdf.table(col_widths=(40, 12, 78, 50), line_height=4.5) as table:
            head = table.row()
            for h in ("Person", "Age", "Connection", "Notes"):
                head.cell(h)
            for p in people:
                row = table.row()
                row.cell(_text(p.get("display_name") or " ".join(
                    str(x) for x in (p.get("given_name"), p.get("family_name")) if x)))  # fmt: skip
                row.cell(_text(p.get("age")))
                row.cell(_text(p.get("relationship")))
                notes = []
                if p.get("risk_history"):
                    notes.append("risk history: " + ", ".join(p.get("risk_reasons") or []))
                if p.get("hidden"):
                    notes.append("not in CSC or health records of the child")
                row.cell("; ".join(notes))
    else:
        pdf.cell(
            0, 5, "No one recorded around the child in this window.", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(2)

    if risk is not None:
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 7, "Cumulative risk indicators", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(
            0,
            5,
            f"Score {risk.get('score')}; suggested continuum level {risk.get('suggested_level')} "
            "(a suggestion for the analyst, not a decision).",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        contributions = risk.get("contributions") or []
        if contributions:
            pdf.set_font("DejaVu", "", 8)
            with pdf.table(col_widths=(70, 22, 28, 30, 30), line_height=4.5) as table:
                head = table.row()
                for h in ("Indicator", "Points", "Date", "Agency", "Marker"):
                    head.cell(h)
                for c in contributions:
                    row = table.row()
                    row.cell(_text(c.get("indicator")))
                    row.cell(_text(c.get("points")))
                    row.cell(_text(c.get("occurred_on") or "undated"))
                    row.cell(_text(c.get("agency")))
                    row.cell(_text(c.get("marker")))
        pdf.ln(1)

    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, "Multi-agency chronology", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8)
    if facts:
        with pdf.table(col_widths=(20, 22, 30, 20, 88), line_height=4.5) as table:
            head = table.row()
            for h in ("Date", "Agency", "Type", "Marker", "What was recorded"):
                head.cell(h)
            for f in facts:
                row = table.row()
                row.cell(_text(f.get("occurred_on") or "undated"))
                row.cell(_text(f.get("agency")))
                row.cell(_text(f.get("fact_type")).replace("_", " "))
                row.cell(_text(f.get("marker")))
                text = f.get("summary") or (f.get("restricted_note") if f.get("restricted") else "")
                if f.get("marker") == "OPINION" and text and not str(text).startswith("[OPINION]"):
                    text = f"[OPINION] {text}"
                row.cell(_text(text))
    else:
        pdf.cell(0, 5, "Nothing recorded in this window.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        0,
        4,
        "Shared for the purpose and under the legal gateway above; necessary and proportionate: other "
        "children are shown by initials and age, addresses by postcode district. Do not forward beyond the "
        "meeting's participants. This export is recorded in Jigsaw's audit trail.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
