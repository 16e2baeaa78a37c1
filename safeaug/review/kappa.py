"""``review agreement``: how far readers agree, per effect and overall.

Cohen's kappa for two readers, Fleiss' kappa for more, over the items every reader decided (accept,
reject or unsure). Kappa is 1 for full agreement and 0 for the agreement chance alone would give; it is
undefined when the expected agreement is already 1 (every reader gave one and the same answer to every
item), which is reported as such rather than as a number.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from safeaug.review.reviewfile import DECISIONS, ReviewFile


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two readers' answers to the same items (None when undefined)."""
    if len(first) != len(second):
        raise ValueError("both readers must answer the same items")
    n = len(first)
    if n == 0:
        return None
    categories = set(first) | set(second)
    observed = sum(1 for a, b in zip(first, second, strict=True) if a == b) / n
    expected = sum((list(first).count(c) / n) * (list(second).count(c) / n) for c in categories)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a table: one row per item, one column per category, each cell the number of readers
    who chose it (every row sums to the same number of readers, at least 2). None when undefined."""
    rows = [list(r) for r in counts]
    if not rows:
        return None
    raters = sum(rows[0])
    if raters < 2 or any(sum(r) != raters for r in rows):
        raise ValueError("every item needs the same number of readers, at least two")
    n_items = len(rows)
    agreement = sum((sum(c * c for c in r) - raters) / (raters * (raters - 1)) for r in rows) / n_items
    shares = [sum(r[j] for r in rows) / (n_items * raters) for j in range(len(rows[0]))]
    expected = sum(p * p for p in shares)
    if expected >= 1.0:
        return None
    return (agreement - expected) / (1.0 - expected)


@dataclass
class Agreement:
    """Kappa per group of items (an effect, the random draws, the originals of a blinded read) and overall."""

    method: str  # "Cohen's kappa" or "Fleiss' kappa"
    readers: list[str]
    overall: tuple[int, float | None]
    per_effect: dict[str, tuple[int, float | None]] = field(default_factory=dict)
    undecided: int = 0  # items left out because some reader did not decide them

    def text(self) -> str:
        def show(k: float | None) -> str:
            return "undefined (every answer the same)" if k is None else f"{k:.3f}"

        lines = [f"{self.method}, readers: {', '.join(self.readers)}"]
        width = max([len(e) for e in self.per_effect] + [7])
        for effect, (n, k) in self.per_effect.items():
            lines.append(f"  {effect:<{width}}  {n:>4} items  kappa {show(k)}")
        n, k = self.overall
        lines.append(f"  {'overall':<{width}}  {n:>4} items  kappa {show(k)}")
        if self.undecided:
            lines.append(f"  ({self.undecided} items left out: not decided by every reader)")
        return "\n".join(lines) + "\n"


def _group(kind: str | None, effect: str | None) -> str:
    if effect:
        return effect
    return {"draw": "random draws", "original": "originals"}.get(kind or "", "other")


def agreement_of(reviews: Sequence[ReviewFile]) -> Agreement:
    if len(reviews) < 2:
        from safeaug.review.reviewfile import ReviewFileError

        raise ReviewFileError("agreement needs the files of at least two readers")
    maps = [{i.id: i for i in r.items} for r in reviews]
    groups: dict[str, list[list[str]]] = {}
    undecided = 0
    for item in reviews[0].items:
        answers = [m[item.id].decision if item.id in m else None for m in maps]
        if any(a is None for a in answers):
            undecided += 1
            continue
        groups.setdefault(_group(item.kind, item.effect), []).append([str(a) for a in answers])
    every = [row for rows in groups.values() for row in rows]
    method = "Cohen's kappa" if len(reviews) == 2 else "Fleiss' kappa"

    def kappa(rows: list[list[str]]) -> float | None:
        if not rows:
            return None
        if len(reviews) == 2:
            return cohen_kappa([r[0] for r in rows], [r[1] for r in rows])
        return fleiss_kappa([[r.count(c) for c in DECISIONS] for r in rows])

    return Agreement(
        method,
        [r.reviewer for r in reviews],
        (len(every), kappa(every)),
        {g: (len(rows), kappa(rows)) for g, rows in groups.items()},
        undecided,
    )


def agreement(paths: Sequence[str | os.PathLike[str]], *, key: str | os.PathLike[str] | None = None) -> Agreement:
    """Agreement between the readers of the same review (their exported files)."""
    from safeaug.review.tighten import read_reviews

    return agreement_of(read_reviews([Path(p) for p in paths], key))
