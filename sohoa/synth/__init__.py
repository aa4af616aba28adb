"""Synthetic scanned Vietnamese administrative dossiers with ground truth (STANDARDS.md §4.5).

Pages are laid out per NĐ 30/2020 Phụ lục I (header table of two columns, type name and trích yếu,
body, "Nơi nhận" and the signer block with a red seal), lightly degraded like a scan, and written as a
batch that follows the "Input batch contract" of DESIGN.md. The ground truth (documents, their metadata
and the expected state of every input file) is written next to the batch, never inside it.

Conventions of the truth file:
- ``skew`` is the angle in degrees by which the page content was turned counter-clockwise
  (PIL ``Image.rotate`` convention); ``rotation`` is the counter-clockwise quarter turn (0/90/180/270)
  applied to the upright page, so turning the file clockwise by ``rotation`` restores it.
- ``signer_title`` is the last title line above the name without any authority prefix; the prefixes
  (TM./KT./TL./Q.) are in ``authority``, in the order printed, space-separated.
- ``subject`` is the trích yếu without a leading "V/v " or "Về việc ".

Modules: ``agencies`` and ``phrases`` (what is written), ``documents`` (the fields of one document),
``prose`` (its body), ``fonts`` and ``layout`` (page geometry), ``header``, ``signer`` and ``handwriting``
(what is drawn where), ``render`` (pages of a document), ``degradation`` (scan effects), ``files`` and
``batch`` (a batch on disk with its truth), ``bad_inputs`` (what must be quarantined). The wide variety
(``make_batch(..., variety="wide")``, docs/synth.md): ``agencies_wide``, ``phrases_wide``, ``wide`` (its
documents), ``prose_wide`` (bodies of the other NĐ 30 types) and ``aging`` (photocopies, carbon copies, fading).
"""

from sohoa.synth.agencies import AGENCIES, CATALOGUE_COLUMNS, DOCUMENT_TYPES, Agency
from sohoa.synth.agencies_wide import WIDE_AGENCIES
from sohoa.synth.aging import PAPERS, age
from sohoa.synth.bad_inputs import BAD_REASONS, LOOSE_REASON, add_bad_inputs, write_bomb_png
from sohoa.synth.batch import make_batch, truth_path
from sohoa.synth.degradation import damage, degrade, punch, speckle
from sohoa.synth.documents import Look, SynthDocument, date_line, random_document, vn_date
from sohoa.synth.handwriting import BLANK, HAND_DIGITS, _catmull_rom, draw_hand_digits
from sohoa.synth.layout import BLUE_INK, INK, RED_INK, a4_size
from sohoa.synth.phrases import TOPICS
from sohoa.synth.render import RenderedDocument, render_document, render_with_text
from sohoa.synth.wide import wide_document

__all__ = [
    "AGENCIES",
    "BAD_REASONS",
    "BLANK",
    "BLUE_INK",
    "CATALOGUE_COLUMNS",
    "DOCUMENT_TYPES",
    "HAND_DIGITS",
    "INK",
    "LOOSE_REASON",
    "PAPERS",
    "RED_INK",
    "TOPICS",
    "WIDE_AGENCIES",
    "Agency",
    "Look",
    "RenderedDocument",
    "SynthDocument",
    "_catmull_rom",
    "a4_size",
    "add_bad_inputs",
    "age",
    "damage",
    "date_line",
    "degrade",
    "draw_hand_digits",
    "make_batch",
    "punch",
    "random_document",
    "render_document",
    "render_with_text",
    "speckle",
    "truth_path",
    "vn_date",
    "wide_document",
    "write_bomb_png",
]
