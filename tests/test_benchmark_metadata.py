"""The metadata benchmark's scoring (``benchmarks/metadata.py``): what it says of held documents."""

from __future__ import annotations

from benchmarks.metadata import REAL_FIELDS, Found, Score, Truth

LABEL = {"document_type": "Quyết định", "number": "12", "symbol": "QĐ-UBND", "issued_date": "2024-03-05",
         "place": "Hà Nội", "issuing_agency": "ỦY BAN NHÂN DÂN", "subject": "ban hành Quy chế", "signer": "Lê Văn An"}


def _found(source: str, confidence: dict[str, float], coarse: bool = False, **changed: str) -> dict:
    metadata = {**LABEL, **changed}
    conf = {f: confidence.get(f, 0.99) for f in metadata}
    return {"pages": [source], "metadata": metadata, "confidence": conf, "raw_confidence": conf, "evidence": {},
            "needs_review": any(c < 0.8 for c in conf.values()) or coarse, "coarse": coarse}


def test_held_documents_counted_by_the_fields_that_hold_them_and_whether_those_were_right() -> None:
    score = Score(REAL_FIELDS)
    docs = {
        "A": _found("A/1.tif", {"subject": 0.73}),  # a right trích yếu held all the same
        "B": _found("B/1.tif", {"subject": 0.47, "number": 0.09}, number="72"),  # a wrong number, and the subject
        "C": _found("C/1.tif", {"number": 0.43}, number="21"),
        "D": _found("D/1.jpg", {}, coarse=True),  # a phone photo: never delivered
        "E": _found("E/1.tif", {}),  # delivered
        "F": _found("F/1.tif", {}, issued_date="2024-03"),  # its day unread: held, its date wrong
    }
    docs["F"]["needs_review"] = True  # as extraction holds it, whatever its confidences
    for code, doc in docs.items():
        score.dossier(code, [Truth(doc["pages"][0], 1, LABEL)], Found([doc], doc["pages"]))
    table = score.why_held()
    assert table.splitlines()[0] == "held: 5 documents; coarse pages 1, merged 0, quarantined 0"
    assert "| subject | 2 | 2 | 1 |" in table  # A alone; B with its number
    assert "| number | 2 | 0 | 1 |" in table  # both wrong; C alone
    assert "| (date without its day) | 1 | 0 | 1 |" in table
    assert score.summary()["review_share"] == 5 / 6
