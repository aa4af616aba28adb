"""Wrapper around asterocr: a second reader for single lines of Vietnamese print.

asterocr (PyPI, MIT) is a CTC line recognizer trained for Vietnamese (a CNN, a bidirectional LSTM and
self-attention, 227 characters: every toned letter of the alphabet, digits and punctuation); its ONNX weights ship
inside the wheel, which ``make setup`` installs pinned by version and SHA-256 (``requirements-hashed.txt``).
Tesseract's ``vie`` model drops stacked tone marks on capitals ("TỈNH HẢÁI DƯƠNG") and misreads names it has
no word for; this reader reads a line crop again, for the header and signer lines where the fields are
(see ``sohoa.ocr``).

Nothing reaches the network: the model is the wheel's own file, opened here by path with ONNX Runtime (the
package's ``AsterOCR`` class, which falls back to fetching the weights from a model hub when the file is
missing, is never used). ONNX Runtime runs with one intra-op and one inter-op thread: parallelism comes from
the OCR worker processes, one reader each, as for Tesseract.

The crop is turned to grey, scaled to the network's 32 pixels of height and normalized as asterocr's own
ONNX pipeline does (``AsterOCR.preprocess_image``); the output is decoded greedily (best class per frame,
repeats and blanks collapsed). A character's probability is the largest of its frames'; a word's confidence
is its least sure character's, and so is the line's. Each word also gets its x extent on the crop, from the
frames that emitted it (a frame is 4 pixels of the scaled crop).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

HEIGHT = 32  # the network's input height
STRIDE = 4  # pixels of the scaled crop per output frame
BLANK = 0  # the CTC blank's class
MOST_FRAMES = 256  # the network's positional encoding: an input at most 1024 pixels wide (32 times its height)
MIN_CONTRAST = 60  # grey levels between paper and ink below which a crop holds no print (the network would
# still emit a sign or two, with little probability)


@dataclass(frozen=True)
class Word:
    text: str  # NFC
    confidence: float  # 0..1, its least sure character's probability
    x0: int  # extent on the crop, in its pixels
    x1: int


@dataclass(frozen=True)
class Reading:
    text: str  # NFC, words joined by one space
    confidence: float  # 0..1, the least sure character's probability; 0.0 when nothing was read
    words: tuple[Word, ...]


def model_path() -> Path:
    """The ONNX weights inside the installed asterocr wheel."""
    from importlib.util import find_spec

    spec = find_spec("asterocr")
    if spec is None or spec.origin is None:
        raise RuntimeError("asterocr is not installed (make setup installs it, pinned by SHA-256)")
    path = Path(spec.origin).parent / "assets" / "asternet.onnx"
    if not path.is_file():
        raise RuntimeError(f"asterocr's weights are missing from its wheel: {path}")
    return path


@cache
def _alphabet() -> tuple[str, ...]:
    import json

    data = json.loads((model_path().parent / "vocab.json").read_text(encoding="utf-8"))
    return tuple(data["chars"])


class Reader:
    """One loaded asterocr network, for one worker (a process, or one thread at a time)."""

    def __init__(self) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        self._session = ort.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._chars = _alphabet()

    def read(self, line: np.ndarray) -> Reading:
        """Read one line: a grey (h x w) or colour (h x w x 3) crop holding one line of text."""
        grey = line if line.ndim == 2 else line.mean(axis=2)
        if not grey.size or float(grey.max()) - float(grey.min()) < MIN_CONTRAST:
            return Reading("", 0.0, ())
        words: list[Word] = []
        for start, end in _pieces(grey):
            tensor, scale = _tensor(grey[:, start:end])
            log_probs = self._session.run(None, {self._input: tensor})[0][:, 0, :]  # frames x classes
            words += [Word(w.text, w.confidence, w.x0 + start, w.x1 + start)
                      for w in _decode(log_probs, self._chars, scale)]
        return Reading(" ".join(w.text for w in words), min((w.confidence for w in words), default=0.0),
                       tuple(words))


def _pieces(grey: np.ndarray) -> list[tuple[int, int]]:
    """The crop's columns in pieces the network takes (``MOST_FRAMES``): a long line is cut at the column with
    least ink in the last third of each piece (a space between words)."""
    height, width = grey.shape
    most = max(STRIDE, MOST_FRAMES * STRIDE * height // HEIGHT - STRIDE * height // HEIGHT - 1)
    ink = (255 - grey.astype(np.float32)).sum(axis=0)
    pieces, start = [], 0
    while width - start > most:
        low = start + 2 * most // 3
        cut = low + int(np.argmin(ink[low:start + most]))
        pieces.append((start, cut))
        start = cut
    return [*pieces, (start, width)]


def _tensor(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The network's input (1 x 3 x 32 x w, values in -1..1) and the factor from crop to input pixels."""
    from PIL import Image

    height, width = grey.shape
    target = max(32, int(width * HEIGHT / height))
    target = (target + STRIDE - 1) // STRIDE * STRIDE
    scaled = Image.fromarray(np.asarray(grey, dtype=np.uint8)).resize((target, HEIGHT), Image.Resampling.BILINEAR)
    values = (np.asarray(scaled, dtype=np.float32) / 255.0 - 0.5) / 0.5
    return np.repeat(values[np.newaxis, np.newaxis], 3, axis=1), target / width


def _decode(log_probs: np.ndarray, chars: tuple[str, ...], scale: float) -> list[Word]:
    """Greedy CTC decoding into words with their confidences and extents (crop pixels)."""
    best = log_probs.argmax(axis=1)
    prob = np.exp(log_probs.max(axis=1))
    emitted: list[tuple[str, float, int, int]] = []  # character, probability, first and last frame
    previous = BLANK
    for t, k in enumerate(best.tolist()):
        if k != BLANK and k == previous:
            ch, p, first, _ = emitted[-1]
            emitted[-1] = (ch, max(p, float(prob[t])), first, t)
        elif k != BLANK:
            emitted.append((chars[k], float(prob[t]), t, t))
        previous = k
    words: list[Word] = []
    current: list[tuple[str, float, int, int]] = []
    for item in [*emitted, (" ", 1.0, 0, 0)]:
        if item[0].isspace():
            if current:
                text = unicodedata.normalize("NFC", "".join(c for c, *_ in current))
                x0 = int(current[0][2] * STRIDE / scale)
                x1 = int((current[-1][3] + 1) * STRIDE / scale)
                words.append(Word(text, round(min(p for _, p, *_ in current), 4), x0, x1))
            current = []
        else:
            current.append(item)
    return words


_reader: Reader | None = None


def reader() -> Reader:
    """This process's reader, loaded on first use."""
    global _reader
    if _reader is None:
        _reader = Reader()
    return _reader


def read(line: Any) -> Reading:
    """Read one line crop (numpy array, grey or colour) with this process's reader."""
    return reader().read(np.asarray(line))
