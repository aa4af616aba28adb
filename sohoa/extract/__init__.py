"""Split a dossier's OCR pages into documents and read each document's metadata (STANDARDS.md §4).

Works on the layout Tesseract found (word boxes from hOCR), not only on the text: the header of an
administrative document is two columns (issuing body and ``Số:`` on the left, national title and
place-date line on the right), the type name and trích yếu are centred under it, and the signer block
sits at the bottom right of the last page. One module per part of the document:

- ``segment``: where documents start; the left header column's box;
- ``header``: the issuing body and its parent, the header's anchors (``Số:`` and place-date lines);
- ``number``: number and symbol; ``dates``: place and date; ``handwritten``: blanks filled in by hand;
- ``subject``: document type and trích yếu; ``signer``: the closing block; ``marks``: urgency and secrecy;
- ``document``: one document's fields and confidences; ``dossier``: a dossier's documents.
"""

from sohoa.extract.confidence import calibrated, review_below
from sohoa.extract.document import CHECKED, REQUIRED, Extraction, extract_document, flagged, marked
from sohoa.extract.dossier import extract_dossier
from sohoa.extract.handwritten import blanks_box, hand_filled_lines, slots, unsure
from sohoa.extract.number import type_in_symbol
from sohoa.extract.segment import (
    left_header_box,
    left_read_surely,
    may_start_document,
    segment,
    starts_document,
)
from sohoa.extract.signer import signer_box, surname
from sohoa.extract.text import SURE

__all__ = [
    "CHECKED", "REQUIRED", "SURE", "Extraction", "calibrated", "review_below", "blanks_box", "extract_document", "extract_dossier",
    "flagged", "hand_filled_lines", "marked", "left_header_box", "left_read_surely", "may_start_document", "segment",
    "signer_box", "slots", "starts_document", "surname", "type_in_symbol", "unsure",
]
