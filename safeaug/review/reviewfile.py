"""The review file: written beside the page, filled in by the page, read by ``review apply`` and
``review agreement``.

It is plain YAML with one key per line and every string JSON-quoted (so the page's exporter, a few
lines of JavaScript, writes exactly the same shape). Reading it checks every key and value and names
the file, the line and what was expected for anything wrong.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeaug._yaml import load_with_lines
from safeaug.errors import ConfigError, SafeaugError
from safeaug.rules import EFFECT_NAMES

FORMAT = "safeaug-review/1"
DECISIONS = ("accept", "reject", "unsure")


class ReviewFileError(SafeaugError):
    """A review file (or its blinding key) that cannot be used: a usage error (exit 2)."""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    return json.dumps(value, ensure_ascii=False)


def dump_review(header: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> str:
    """The review file's text: the header keys, then ``items:`` with one key per line."""
    lines = [
        "# safeaug review. Open index.html beside this file in a browser, mark every image (accept, reject or",
        "# unsure; realism 1-5; a note) and press Export; then: safeaug review apply FILLED.yaml -o POLICY.yaml",
    ]
    lines += [f"{key}: {_scalar(value)}" for key, value in header.items()]
    lines.append("items:" if items else "items: []")
    for item in items:
        first = True
        for key, value in item.items():
            lines.append(f"{'  - ' if first else '    '}{key}: {_scalar(value)}")
            first = False
    return "\n".join(lines) + "\n"


@dataclass
class ReviewItem:
    id: str
    line: int
    kind: str | None = None  # effect, draw or original (None in a blinded file until unblinded)
    transform: str | None = None
    effect: str | None = None
    magnitude: float | None = None
    decision: str | None = None
    realism: int | None = None
    note: str | None = None
    image: str | None = None


@dataclass
class ReviewFile:
    path: Path
    header: dict[str, Any]
    items: list[ReviewItem] = field(default_factory=list)

    @property
    def reviewer(self) -> str:
        name = self.header.get("reviewer")
        return str(name) if name else self.path.stem

    @property
    def date(self) -> str | None:
        value = self.header.get("reviewed")
        return str(value) if value else None


def _fail(path: Path, line: int, message: str) -> ReviewFileError:
    return ReviewFileError(f"{path}:{line}: {message}")


def _read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReviewFileError(f"{path}: no such review file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewFileError(f"{path}: cannot read the review file ({exc})") from None
    try:
        return load_with_lines(text, str(path))
    except ConfigError as exc:
        raise ReviewFileError(f"{exc} (expected a review file written by `safeaug review`)") from None


def _line(lines: Mapping[tuple[Any, ...], int], *loc: Any) -> int:
    for cut in range(len(loc), -1, -1):
        if tuple(loc[:cut]) in lines:
            return lines[tuple(loc[:cut])]
    return 1


_STR_OR_NULL = ("transform", "location", "unit", "image", "original", "source", "parameters", "kind")


def load_review(path: str | os.PathLike[str], *, key: str | os.PathLike[str] | None = None) -> ReviewFile:
    """Read and check a review file; a blinded one is unblinded with its key (``key`` or the file it names)."""
    file = Path(path)
    data, lines = _read_yaml(file)
    if not isinstance(data, dict):
        raise _fail(
            file, 1, f"expected a mapping with `format: {FORMAT}`, `policy`, `pipeline`, `reviewer` and `items`"
        )
    if data.get("format") != FORMAT:
        raise _fail(
            file,
            _line(lines, "format"),
            f"`format`: expected {FORMAT!r}, got {data.get('format')!r} (is this a file `safeaug review` wrote?)",
        )
    for name in ("policy", "pipeline"):
        if not isinstance(data.get(name), str) or not data.get(name):
            raise _fail(file, _line(lines, name), f"`{name}`: expected a non-empty string, got {data.get(name)!r}")
    for name in ("reviewer", "reviewed"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            raise _fail(file, _line(lines, name), f"`{name}`: expected a string or null, got {data.get(name)!r}")
    if not isinstance(data.get("policy_params", {}) or {}, dict):
        raise _fail(file, _line(lines, "policy_params"), "`policy_params`: expected a mapping of parameter values")
    if not isinstance(data.get("blind", False), bool):
        raise _fail(file, _line(lines, "blind"), f"`blind`: expected true or false, got {data.get('blind')!r}")
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise _fail(file, _line(lines, "items"), "`items`: expected a list of items (`- id: ...`)")
    items = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_items):
        items.append(_item(file, lines, i, raw, seen))
    header = {k: v for k, v in data.items() if k != "items"}
    review = ReviewFile(file, header, items)
    if data.get("blind"):
        _unblind(review, lines, key)
    else:
        for item in items:
            if item.kind is None:
                item.kind = "effect" if item.effect else "draw"
    return review


def _item(file: Path, lines: Mapping[tuple[Any, ...], int], i: int, raw: Any, seen: dict[str, int]) -> ReviewItem:
    where = f"items[{i}]"
    if not isinstance(raw, dict):
        raise _fail(file, _line(lines, "items", i), f"`{where}`: expected a mapping with `id` and `decision`")

    def bad(key: str, expected: str) -> ReviewFileError:
        return _fail(file, _line(lines, "items", i, key), f"`{where}.{key}`: expected {expected}, got {raw.get(key)!r}")

    item_id = raw.get("id")
    if not isinstance(item_id, str) or not item_id:
        raise bad("id", "the item's id, a string")
    if item_id in seen:
        raise bad("id", f"an id used once (already on line {seen[item_id]})")
    seen[item_id] = _line(lines, "items", i, "id")
    decision = raw.get("decision")
    if decision is not None and decision not in DECISIONS:
        raise bad("decision", "accept, reject, unsure or null")
    realism = raw.get("realism")
    if realism is not None and (isinstance(realism, bool) or not isinstance(realism, int) or not 1 <= realism <= 5):
        raise bad("realism", "a whole number from 1 to 5, or null")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise bad("note", "a string or null")
    effect = raw.get("effect")
    if effect is not None and effect not in EFFECT_NAMES:
        raise bad("effect", "null or one of " + ", ".join(EFFECT_NAMES))
    magnitude = raw.get("magnitude")
    if magnitude is not None and (isinstance(magnitude, bool) or not isinstance(magnitude, (int, float))):
        raise bad("magnitude", "a number or null")
    if effect is not None and magnitude is None:
        raise bad("magnitude", f"a number (the size of the `{effect}` shown)")
    for key in _STR_OR_NULL:
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise bad(key, "a string or null")
    return ReviewItem(
        id=item_id,
        line=seen[item_id],
        kind=raw.get("kind"),
        transform=raw.get("transform"),
        effect=effect,
        magnitude=None if magnitude is None else float(magnitude),
        decision=decision,
        realism=realism,
        note=note,
        image=raw.get("image"),
    )


def _unblind(review: ReviewFile, lines: Mapping[tuple[Any, ...], int], key: str | os.PathLike[str] | None) -> None:
    info = review.header.get("key")
    if not isinstance(info, dict) or not isinstance(info.get("file"), str) or not isinstance(info.get("sha256"), str):
        raise _fail(review.path, _line(lines, "key"), "`key`: a blinded review names its key: {file: ..., sha256: ...}")
    candidates = (
        [Path(key)]
        if key is not None
        else [review.path.parent.parent / info["file"], review.path.parent / info["file"]]
    )
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise ReviewFileError(
            f"{review.path}: this review is blinded; its key {info['file']} was not found "
            f"(looked for {', '.join(str(c) for c in candidates)}); pass it with --key"
        )
    text = found.read_text(encoding="utf-8")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != info["sha256"]:
        raise ReviewFileError(f"{found}: this key does not belong to {review.path} (its SHA-256 differs)")
    data, key_lines = _read_yaml(found)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise _fail(found, 1, "expected a blinding key written by `safeaug review --blind`")
    by_id: dict[str, ReviewItem] = {}
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["items"]):
        entry = _item(found, key_lines, i, raw, seen)
        by_id[entry.id] = entry
    for item in review.items:
        entry_ = by_id.get(item.id)
        if entry_ is None:
            raise _fail(review.path, item.line, f"item {item.id!r} is not in the key {found}")
        item.kind, item.transform, item.effect, item.magnitude = (
            entry_.kind,
            entry_.transform,
            entry_.effect,
            entry_.magnitude,
        )
