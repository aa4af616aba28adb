from __future__ import annotations

from pathlib import Path

from sohoa import poppler
from tests.conftest import make_pdf


def test_render_page_to_a_scratch_name_with_dots(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "H30.01.2025.pdf", 2)
    scratch = tmp_path / "H30.01.2025.0000002.ppm"  # a package's file stem: every dot kept
    page = poppler.render_page(pdf, 2, 72, scratch)
    assert page.mode == "RGB" and page.size == (612, 792)  # US Letter at 72 dpi
    assert not scratch.exists() and list(tmp_path.glob("*.ppm")) == []
