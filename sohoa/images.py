"""Image cleaning: small pure functions over numpy images (OpenCV, BGR uint8).

The archival master stays 24-bit colour at 100 % scale; only the OCR working copy is turned grey.
"""

from __future__ import annotations

import cv2
import numpy as np

WHITE = (255, 255, 255)


def rotate_quadrant(img: np.ndarray, degrees: int) -> np.ndarray:
    """Turn an image clockwise by 0, 90, 180 or 270 degrees (lossless)."""
    degrees %= 360
    if degrees == 0:
        return img
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[degrees]
    return cv2.rotate(img, code)


def ink_free_grey(img: np.ndarray) -> np.ndarray:
    """Grey image where red seals and blue signatures fade to paper: the max of the colour channels.

    Black print is dark in every channel and stays dark; coloured ink is bright in at least one channel.
    """
    if img.ndim == 2:
        return img
    blue, green, red = cv2.split(img)
    return cv2.max(cv2.max(blue, green), red)  # four times numpy's max(axis=2)


def _text_mask(grey: np.ndarray) -> np.ndarray:
    """Binary mask (uint8 0/1) of dark print, from Otsu's threshold."""
    _, mask = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def crop_border(img: np.ndarray, dark: int = 90, min_paper: float = 0.6) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Remove dark scanner-bed margins: trim edge rows/columns whose pixels are mostly dark.

    Returns the cropped image and the box (x0, y0, x1, y1) kept.
    """
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    paper = grey > dark
    rows = paper.mean(axis=1) >= min_paper
    cols = paper.mean(axis=0) >= min_paper
    h, w = grey.shape
    if not rows.any() or not cols.any():
        return img, (0, 0, w, h)
    y0, y1 = int(np.argmax(rows)), int(h - np.argmax(rows[::-1]))
    x0, x1 = int(np.argmax(cols)), int(w - np.argmax(cols[::-1]))
    # never crop more than a quarter of a side: a dark photo or a black page is not a border
    if (x1 - x0) < 0.75 * w or (y1 - y0) < 0.75 * h:
        return img, (0, 0, w, h)
    if (x0, y0, x1, y1) == (0, 0, w, h):
        return img, (0, 0, w, h)
    return img[y0:y1, x0:x1].copy(), (x0, y0, x1, y1)


def reduced(grey: np.ndarray, long_side: int = 1000) -> np.ndarray:
    """A copy reduced to ``long_side`` pixels (about 85 dpi for A4 at 300 dpi): the text lines' geometry is all
    orientation and skew need (the image itself when it is no larger)."""
    scale = min(1.0, long_side / max(grey.shape))
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey


def _small_mask(grey: np.ndarray) -> np.ndarray:
    """Text mask (uint8 0/1) of the ``reduced`` copy."""
    return _text_mask(reduced(grey))


def _turn_mask(mask: np.ndarray, angle: float) -> np.ndarray:
    """A mask rotated by a small angle about its centre, same size, nothing added at the corners."""
    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)


def _level(mask: np.ndarray, angles: np.ndarray) -> float:
    """The angle among ``angles`` that makes the mask's rows most uneven: text lines level.

    The row profile of the mask turned by each angle is counted from its ink pixels' turned row numbers (a
    fifth of the time of turning the image); the most uneven profile has the largest sum of squares."""
    ys, xs = np.nonzero(mask)
    if not ys.size:
        return 0.0
    ys = ys.astype(np.float32) - mask.shape[0] / 2
    xs = xs.astype(np.float32) - mask.shape[1] / 2
    best, level = -1.0, 0.0
    for angle in angles:
        a = np.radians(angle)  # cv2's turn, counter-clockwise positive: a row moves by -x sin a
        rows = np.rint(ys * np.cos(a) - xs * np.sin(a)).astype(np.int32)
        counts = np.bincount(rows - rows.min())
        score = float(np.dot(counts, counts))  # integers: exact, and no BLAS threads started for a dot product
        if score >= best:
            best, level = score, float(angle)
    return level


def estimate_skew(grey: np.ndarray, max_angle: float = 5.0) -> float:
    """The small rotation (degrees, counter-clockwise positive as in OpenCV) that makes text lines level.

    Maximises the variance of the row profile of the text mask over candidate angles, coarse then fine,
    on a copy reduced to about 85 dpi for speed.
    """
    mask = _small_mask(grey)
    if mask.mean() < 0.002:
        return 0.0
    coarse = _level(mask, np.arange(-max_angle, max_angle + 1e-9, 0.5))
    return round(_level(mask, np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.05)), 2)


def _without_rules(mask: np.ndarray) -> np.ndarray:
    """The mask without long straight strokes (table rules, underlines, frames), which are not letters."""
    rules = cv2.bitwise_or(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, 40), np.uint8)),
                           cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((40, 1), np.uint8)))
    return cv2.subtract(mask, rules)


def _lineness(mask: np.ndarray) -> float:
    """How strongly the rows of a mask alternate between text lines and gaps (page-scale changes removed)."""
    profile = mask.sum(axis=1, dtype=np.float32).reshape(-1, 1)
    return float(np.mean((profile - cv2.blur(profile, (1, 41))) ** 2))


def _line_votes(mask: np.ndarray) -> tuple[int, int]:
    """(lines taller above their x-height band, lines taller below it) of a mask with level text lines.

    Latin and Vietnamese print puts more ink above the x-height (ascenders, capitals, tone marks, â ơ ư)
    than below it (g p q y and the dot of the nặng tone): upside-down text votes the other way."""
    profile = mask.sum(axis=1, dtype=np.float32)
    on = np.concatenate(([0], (profile > 0.05 * max(float(profile.max()), 1.0)).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(on))
    up = down = 0
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        line = profile[start:end]
        if end - start < 5 or line.max() < 0.02 * mask.shape[1]:
            continue  # a speck, a short caption or a lone word: too little to vote
        band = np.flatnonzero(line >= 0.5 * line.max())
        above, below = line[: band[0]].sum(), line[band[-1] + 1:].sum()
        if above > 1.3 * below:
            up += 1
        elif below > 1.3 * above:
            down += 1
    return up, down


def orientation_votes(grey: np.ndarray) -> tuple[int, int, int] | None:
    """(turn, up, down): the quarter turn (0 or 90) that makes the text lines run across, and how many of the
    lines then vote for print standing up or upside down (see ``_line_votes``); None when no direction of lines
    stands out (pictures, tables without text, a blank page)."""
    mask = _without_rules(_small_mask(grey))
    if mask.mean() < 0.002:
        return None
    levelled = {}
    for turn in (0, 90):
        turned = rotate_quadrant(mask, turn)
        levelled[turn] = _turn_mask(turned, _level(turned, np.arange(-5.0, 5.0 + 1e-9, 0.5)))
    ratio = _lineness(levelled[0]) / max(_lineness(levelled[90]), 1e-9)
    if 0.5 < ratio < 2:
        return None
    turn = 0 if ratio >= 2 else 90
    return (turn, *_line_votes(levelled[turn]))


def text_orientation(grey: np.ndarray, *, min_lines: int = 8, min_share: float = 0.7) -> int | None:
    """Clockwise turn (0/90/180/270) that makes a page of print upright, or None when the page does not say.

    Text lines run along the direction whose row profile alternates most; which side is up is voted by the
    lines. None when fewer than ``min_lines`` lines vote or less than ``min_share`` of them agree: pictures,
    tables without text, hand-writing, a blank page (ask Tesseract's OSD then). ``benchmarks/orientation.py``:
    on the real scans turned four ways no page was turned wrong at any share above 0.625."""
    return turn_from_votes(orientation_votes(grey), min_lines, min_share)


def turn_from_votes(votes: tuple[int, int, int] | None, min_lines: int, min_share: float) -> int | None:
    """The turn ``orientation_votes`` tell when at least ``min_lines`` lines vote and ``min_share`` of them agree."""
    if votes is None:
        return None
    turn, up, down = votes
    if up == down or up + down < min_lines or max(up, down) < min_share * (up + down):
        return None
    return turn if up > down else turn + 180


def rotate_small(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by a small angle (degrees, counter-clockwise positive as in OpenCV), same size, white fill."""
    if abs(angle) < 0.05:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    fill = WHITE if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def ink_coverage(grey: np.ndarray) -> float:
    """Share of the page covered by print, ignoring isolated specks (scanner noise, dust)."""
    dark = (grey < 140).astype(np.uint8)
    opened = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return float(opened.mean())


def is_blank(grey: np.ndarray, threshold: float = 0.0015) -> bool:
    return ink_coverage(grey) < threshold


def working_copy(img: np.ndarray, dpi: float) -> np.ndarray:
    """The OCR working copy: coloured ink removed, background flattened, filing holes and specks erased (grey)."""
    grey = ink_free_grey(img)
    # flatten uneven illumination / yellowed paper: divide by a blurred background estimate
    background = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))
    flat = cv2.divide(grey, background, scale=255)
    for x, y, r in punch_holes(grey, dpi):
        cv2.circle(flat, (x, y), r, 255, -1)
    return remove_specks(flat, dpi)


def punch_holes(grey: np.ndarray, dpi: float) -> list[tuple[int, int, int]]:
    """Filing holes as circles (x, y, radius with the blurred rim) showing the scanner's dark lid.

    A hole is a dark, filled, round blob 4 to 9 mm across whose centre lies within 20 mm of an edge of the
    sheet (ISO 838 punches 6 mm holes 12 mm in; the text of an administrative page starts 20 to 35 mm in).
    Letters are smaller, a ring ("O") is not filled, a seal is larger and further in. Looked for on a copy
    reduced to about 75 dpi (a hole is still 18 pixels across).
    """
    f = max(1, int(dpi // 75))
    small = cv2.resize(grey, None, fx=1 / f, fy=1 / f, interpolation=cv2.INTER_AREA) if f > 1 else grey
    mm = dpi / f / 25.4
    h, w = small.shape
    depth = min(int(26 * mm), w // 3, h // 3)  # 20 mm to the centre plus the largest radius, and a margin
    strips = ((0, 0, depth, h), (w - depth, 0, w, h), (0, 0, w, depth), (0, h - depth, w, h))
    holes: set[tuple[int, int, int]] = set()
    for x0, y0, x1, y1 in strips:
        mask = (small[y0:y1, x0:x1] < 110).astype(np.uint8)
        count, _, stats, centres = cv2.connectedComponentsWithStats(mask)
        for (_, _, bw, bh, area), (cx, cy) in zip(stats[1:count], centres[1:count], strict=True):
            if not (4 * mm <= bw <= 9 * mm and 0.8 <= bw / bh <= 1.25 and 0.65 <= area / (bw * bh) <= 0.9):
                continue
            cx, cy = cx + x0, cy + y0
            if min(cx, cy, w - cx, h - cy) <= 20 * mm:
                radius = (max(bw, bh) / 2 + 1) * f + 0.4 * mm * f
                holes.add((int(round((cx + 0.5) * f)), int(round((cy + 0.5) * f)), int(round(radius))))
    return sorted(holes)


def remove_specks(flat: np.ndarray, dpi: float) -> np.ndarray:
    """A flattened grey page without isolated specks (toner, dust): the dark pixels that have no more ink
    within 1 mm than a dot 0.4 mm across. Dots beside letters (i, the nặng tone, full stops) and rows of
    dots are kept: their letters or neighbours are within reach."""
    mm = dpi / 25.4
    mask = (flat < 128).astype(np.uint8)
    reach = int(np.ceil(mm))
    around = cv2.boxFilter(mask, cv2.CV_16U, (2 * reach + 1, 2 * reach + 1), normalize=False)
    speck = (mask > 0) & (around <= np.pi * (0.2 * mm) ** 2)
    if not speck.any():
        return flat
    out = flat.copy()
    out[speck] = 255
    return out


def red_ink(img: np.ndarray) -> np.ndarray:
    """Mask (uint8 0/255) of red ink: seals and urgency/secrecy stamps (NĐ 30/2020 prints them red)."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    low = cv2.inRange(hsv, (0, 70, 50), (10, 255, 255))
    high = cv2.inRange(hsv, (165, 70, 50), (180, 255, 255))
    return cv2.bitwise_or(low, high)


def stamp_boxes(img: np.ndarray, top: float = 0.5) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of rectangular red stamps in the upper part of a page; round seals excluded."""
    h, w = img.shape[:2]
    mask = red_ink(img[: int(h * top): 2, ::2])  # every other pixel: a stamp's strokes are wider than two
    joined = cv2.dilate(mask, np.ones((5, 13), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    boxes = []
    for x, y, bw, bh, area in stats[1:count]:
        if bw < w * 0.02 or bh < h * 0.004 or bw < 1.6 * bh or area < 0.15 * bw * bh:
            continue
        boxes.append((int(2 * x), int(2 * y), min(w, int(2 * (x + bw))), min(h, int(2 * (y + bh)))))
    return boxes


def stamp_image(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Black-on-white image of the red ink inside a box, for OCR of the stamp's words."""
    x0, y0, x1, y1 = box
    ink = red_ink(img[y0:y1, x0:x1])
    h, w = ink.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    for i in range(1, count):  # drop the stamp's frame: what touches the box's edge or encloses the words
        x, y, bw, bh, _ = stats[i]
        if x == 0 or y == 0 or x + bw >= w or y + bh >= h or (bw > 0.6 * w and bh > 0.6 * h):
            ink[labels == i] = 0
    return cv2.copyMakeBorder(255 - ink, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)


def _ring_share(ink: np.ndarray, cx: float, cy: float, r: float, n: int = 360) -> float:
    """Share of the points of a circle that fall on ink (0 when half of it lies outside the image)."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    xs = np.round(cx + r * np.cos(angles)).astype(int)
    ys = np.round(cy + r * np.sin(angles)).astype(int)
    inside = (xs >= 0) & (ys >= 0) & (xs < ink.shape[1]) & (ys < ink.shape[0])
    if inside.sum() < n / 2:
        return 0.0
    return float((ink[ys[inside], xs[inside]] > 0).mean())


def seal_ring(ink: np.ndarray, dpi: float) -> tuple[float, float, float] | None:
    """Centre and outer radius of a round seal in an ink mask (a seal printed black on a bilevel or photocopied
    scan, where the red of it cannot tell it from the text): a closed ring 28 to 48 mm across."""
    mm = dpi / 25.4
    blurred = cv2.GaussianBlur(255 - ink, (5, 5), 0)
    found = cv2.HoughCircles(blurred, cv2.HOUGH_GRADIENT, dp=2, minDist=24 * mm, param1=100, param2=60,
                             minRadius=int(14 * mm), maxRadius=int(24 * mm))
    if found is None:
        return None
    thick = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    step = max(1, round(0.25 * mm))
    share, cx, cy, r = max(((_ring_share(thick, cx + dx, cy + dy, r * k), cx + dx, cy + dy, r * k)
                           for cx, cy, r in found[0][:3]
                           for dx in range(-3 * step, 3 * step + 1, step) for dy in range(-3 * step, 3 * step + 1, step)
                            for k in np.arange(0.9, 1.12, 0.01)), key=lambda found: found[0])
    if share < 0.9:
        return None
    ys, xs = np.nonzero(ink)
    for _ in range(2):  # the centre to a pixel: a least-squares circle through the ink of that ring
        near = np.abs(np.hypot(xs - cx, ys - cy) - r) <= 1.0 * mm
        a, b, c = np.linalg.lstsq(np.column_stack([xs[near], ys[near], np.ones(near.sum())]),
                                  -(xs[near].astype(float) ** 2 + ys[near].astype(float) ** 2), rcond=None)[0]
        cx, cy, r = -a / 2, -b / 2, float(np.sqrt(max(a * a / 4 + b * b / 4 - c, 1.0)))
    # the Hough circle may be an inner ring: the seal ends at its outermost closed ring
    outer = max(float(x) for x in np.arange(r, 1.25 * r, 1.0) if x == r or _ring_share(thick, cx, cy, x) > 0.8)
    return float(cx), float(cy), outer


def unsealed(grey: np.ndarray, dpi: float) -> np.ndarray | None:
    """A signer block (grey crop) with a black round seal taken out, or None without one.

    NĐ 30 puts the seal over the left third of the signature, so it covers the first words of the titles and of
    the name; printed black, its rings and letters join those words and Tesseract reads neither. The text lines
    are found right of the seal (letter-sized strokes outside it); inside the seal, only the strokes standing on
    such a line's baseline (and the tone marks over them) are kept, once the seal's rings are erased; strokes
    taller than a line (the signature) go everywhere. Letters merged with the seal's own are lost, but the
    last words of each line come out clean.
    """
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ring = seal_ring(ink, dpi)
    if ring is None:
        return None
    cx, cy, radius = ring
    mm = dpi / 25.4
    ys, xs = np.mgrid[0:ink.shape[0], 0:ink.shape[1]]
    dist = np.hypot(xs - cx, ys - cy)
    disc = dist <= radius + 0.5 * mm
    thick = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    for r in np.arange(0.5 * radius, radius + 3, 1.0):  # the rings: circles (nearly) all ink
        if _ring_share(thick, cx, cy, r) > 0.75:
            ink[np.abs(dist - r) <= 0.25 * mm] = 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    inside = np.array([bool(disc[y:y + h, x:x + w].any()) for x, y, w, h, _ in stats])
    letters = sorted((int(y), int(y + h)) for (x, y, w, h, _), within in zip(stats, inside, strict=True)
                     if not within and x > cx and 2 * mm <= h <= 8 * mm and w <= 3 * h)
    lines: list[list[int]] = []  # top, bottom, the bottoms of its letters...
    for top, bottom in letters:
        if lines and top < lines[-1][1] - 0.3 * (bottom - top):
            lines[-1][:2] = [min(lines[-1][0], top), max(lines[-1][1], bottom)]
            lines[-1].append(bottom)
        else:
            lines.append([top, bottom, bottom])
    keep = ~inside
    keep[0] = False
    for top, _, *bottoms in lines:
        base = float(np.median(bottoms))
        height = base - top
        for i in np.nonzero(inside)[0]:
            x, y, w, h, _ = stats[i]
            on_line = abs(y + h - base) <= 0.2 * height and 0.45 * height <= h <= 1.4 * height and w <= 2.5 * height
            mark = top - 0.6 * height <= y and y + h <= top + 0.45 * height and h < 0.5 * height and w < 0.8 * height
            keep[i] |= on_line or mark
    if lines:
        height = float(np.median([bottom - top for top, bottom, *_ in lines]))
        keep &= (stats[:, 3] <= 1.8 * height) & (stats[:, 2] <= 8 * height)
    kept = keep[labels]
    out = grey.copy()
    out[(disc | (labels > 0)) & ~kept] = 255  # in the seal, all but the kept strokes; outside, what went
    return out


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


SPACE = 1.0  # of a letter's height: a wider gap ends a line of print
STEM = 0.4  # mm: a pen's stroke is thinner, a bold letter's stem thicker
PRINT_DARK = 110  # grey level under which a working copy's pixel is print (a pen's blue and a seal's red are lighter)


def lowest_line(grey: np.ndarray, dpi: float) -> tuple[int, int, int, int] | None:
    """Box (x0, y0, x1, y1) of the lowest line of print in a grey crop (a signer block's right column: the
    signer's name under the title lines), or None without one.

    Found from the letters of the print alone: dark strokes of a letter's height and width, four or more standing
    on one baseline. A seal's ring and a signature's stroke over the name are lighter than print on the working
    copy, or too tall or long for a letter, so they do not hide the line, though they join the letters they
    cross: the line goes on over print that follows within a space, and the box is widened by two letter heights
    each way. A black pen's stroke, as dark as print, is thinner than a bold letter's stems: those are looked for
    with the stroke wiped too. A line that runs in from the crop's left edge (a recipient's, in the left column)
    is not the signer's.
    """
    mm = dpi / 25.4
    dark = (grey < PRINT_DARK).astype(np.uint8)
    # a pen's stroke through the name joins its letters into one long shape; bold print's stems are thicker
    # than the stroke, so an opening that wipes strokes thinner than STEM keeps them apart, standing on the line
    size = max(3, round(STEM * mm)) | 1
    thinned = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))

    def letters_of(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
        return [(int(x), int(y), int(w), int(h)) for x, y, w, h, area in
                cv2.connectedComponentsWithStats(mask, connectivity=8)[2][1:]
                if 1.2 * mm <= h <= 6 * mm and w <= 1.5 * h and area >= 0.1 * w * h]

    letters = letters_of(dark)
    letters += [c for c in letters_of(thinned) if not any(_overlap(c, other) for other in letters)]
    for bottom in sorted({y + h for _, y, _, h in letters}, reverse=True):  # the lowest baseline first
        on = [c for c in letters if abs(c[1] + c[3] - bottom) <= 0.4 * mm]
        if len(on) >= 4:
            height = float(np.median([h for *_, h in on]))
            base = float(np.median([y + h for _, y, _, h in on]))
            x0, x1 = min(x for x, *_ in on), max(x + w for x, _, w, _ in on)
            # letters a stroke joined are no letters above: the line goes on while print follows within a space
            inked = np.flatnonzero(dark[max(0, int(base - height)):int(base) + 1].any(axis=0))
            for x in inked[inked > x1]:
                if x - x1 > SPACE * height:
                    break
                x1 = int(x)
            for x in inked[inked < x0][::-1]:
                if x0 - x > SPACE * height:
                    break
                x0 = int(x)
            if x0 < height:  # a line running in from the left: a recipient's, longer than the left column
                continue
            return (max(0, int(x0 - 2 * height)), max(0, int(base - 1.8 * height)),
                    min(grey.shape[1], int(x1 + 2 * height)), min(grey.shape[0], int(base + 0.5 * height)))
    return None
