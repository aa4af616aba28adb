"""The survey as a PDF (fpdf2, Liberation Serif: the Times New Roman metrics Vietnamese reports are set in)."""

from __future__ import annotations

from pathlib import Path

from sohoa.campaign.survey import BLANK, Survey, _date
from sohoa.campaign.survey_xlsx import TITLE

FONTS = Path("/usr/share/fonts/truetype/liberation2")
BLANK_TEXT = "(đơn vị điền)"


def write(survey: Survey, path: Path) -> Path:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_margins(15, 15, 15)
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic")):
        pdf.add_font("Serif", style, str(FONTS / f"LiberationSerif-{name}.ttf"))
    pdf.set_title(f"{TITLE} — {survey.campaign}")
    pdf.set_creator("sohoa")
    pdf.add_page()
    pdf.set_font("Serif", "B", 14)
    pdf.multi_cell(0, 8, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    pdf.multi_cell(0, 6, f"Đợt số hóa: {survey.campaign} · lập ngày {_date(survey.made)} từ cơ sở dữ liệu của sohoa",
                   align="C", new_x="LMARGIN", new_y="NEXT")
    for section in survey.sections:
        pdf.ln(4)
        pdf.set_font("Serif", "B", 12)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "", 9.5)
        wide = len(section.headers) == 3
        widths = (80, 70, 117) if wide else (67, 40, 40, 40, 40, 40)
        with pdf.table(col_widths=widths[: len(section.headers)], headings_style=FontFace(emphasis="BOLD"),
                       line_height=5, text_align="LEFT") as table:
            table.row([str(h) for h in section.headers])
            for cells in section.rows:
                row = table.row()
                for value in cells:
                    if value is BLANK:
                        row.cell(BLANK_TEXT, style=FontFace(emphasis="ITALICS", fill_color=(255, 242, 204)))
                    else:
                        row.cell(str(value))
        pdf.set_font("Serif", "I", 9)
        for note in section.notes:
            pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
