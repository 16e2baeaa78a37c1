"""Agreement between readers, against textbook values computed by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safeaug.cli import main
from safeaug.review import agreement, cohen_kappa, fleiss_kappa


def test_cohen_textbook() -> None:
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(["accept"] * 4, ["accept"] * 4) is None  # chance agreement is already 1


def test_fleiss_textbook() -> None:
    # Fleiss (1971)'s worked example as commonly reproduced: 10 items, 14 raters, 5 categories.
    # P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.2099, abs=5e-4)
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 1], [2, 1]])


def test_fleiss_hand_computed_small_case() -> None:
    # 3 readers, 4 items: rows (accept, reject, unsure) counts.
    # P_i: [1, 1/3, 1/3, 1] -> P-bar = 2/3; p = (6/12, 6/12, 0) -> P_e = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3
    table = [[3, 0, 0], [2, 1, 0], [1, 2, 0], [0, 3, 0]]
    expected = 1 / 3
    assert fleiss_kappa(table) == pytest.approx(expected)


def test_agreement_per_effect_and_overall(
    write_review: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rows_a = [
        ("rotation", 5.0, "accept"),
        ("rotation", 10.0, "reject"),
        ("gamma", 0.8, "accept"),
        ("gamma", 1.2, "reject"),
    ]
    rows_b = [
        ("rotation", 5.0, "accept"),
        ("rotation", 10.0, "reject"),
        ("gamma", 0.8, "reject"),
        ("gamma", 1.2, "reject"),
    ]
    a, b = write_review("ann", rows_a), write_review("bo", rows_b)
    result = agreement([a, b])
    assert result.method == "Cohen's kappa"
    assert result.per_effect["rotation"] == (2, pytest.approx(1.0))
    # gamma: p_o = 1/2; p_e = (1/2)(0) + (1/2)(1) = 1/2 -> kappa 0
    assert result.per_effect["gamma"] == (2, pytest.approx(0.0))
    # overall: p_o = 3/4; A (2 accept, 2 reject), B (1 accept, 3 reject): p_e = 2/4*1/4 + 2/4*3/4 = 1/2 -> 0.5
    assert result.overall == (4, pytest.approx(0.5))
    assert main(["review", "agreement", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa, readers: ann, bo" in out and "overall" in out and "0.500" in out


def test_three_readers_use_fleiss(write_review: Callable[..., Path]) -> None:
    rows = [[("rotation", 5.0, d1), ("rotation", 10.0, d2)] for d1, d2 in (("accept", "reject"),) * 2]
    c = [("rotation", 5.0, "accept"), ("rotation", 10.0, "accept")]
    files = [write_review("ann", rows[0]), write_review("bo", rows[1]), write_review("cy", c)]
    result = agreement(files)
    assert result.method == "Fleiss' kappa"
    expected = fleiss_kappa([[3, 0, 0], [1, 2, 0]])
    assert result.overall == (2, pytest.approx(expected))


def test_undecided_items_are_left_out(write_review: Callable[..., Path]) -> None:
    a = write_review("ann", [("rotation", 5.0, "accept"), ("rotation", 10.0, None)])
    b = write_review("bo", [("rotation", 5.0, "accept"), ("rotation", 10.0, "reject")])
    result = agreement([a, b])
    assert result.undecided == 1 and result.overall[0] == 1
    assert "1 items left out" in result.text()
