"""SA502: an argument the installed albumentations drops is judged as it will run."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import albumentations as A

import safeaug


def test_an_argument_the_installed_line_drops_is_judged_as_it_will_run(tmp_path: Path) -> None:
    config = tmp_path / "x_args.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "    - __class_fullname__: Rotate\n      angle_range: [-5, 5]\n      p: 0.5\n"
    )
    report = safeaug.validate(config, "chest_xray")
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"SA102", "SA502"}
    assert by_code["SA502"].severity == "warning" and by_code["SA502"].line == 4
    # the rotation error explains that the written value is not the one that runs
    assert "ignores it and runs `limit=(-90, 90)`" in by_code["SA102"].message


def _on_albumentationsx(monkeypatch: Any) -> None:
    from safeaug.readers.vocabulary import Installed
    from safeaug.validators import memo, messages

    monkeypatch.setattr(messages, "installed_line", lambda: Installed("X", "AlbumentationsX 2.5.1", True))
    memo.forget()  # (another line installed is another process: nothing judged under 2.0 carries over)


def test_findings_spell_arguments_as_the_installed_line_takes_them(monkeypatch: Any) -> None:
    pipeline = A.Compose([A.Rotate(limit=(-40, 40)), A.RandomBrightnessContrast(brightness_limit=0.5, p=1)])
    on_2_0 = {f.code: f for f in safeaug.validate(pipeline, "chest_xray").findings}
    assert "`limit=(-40, 40)`" in on_2_0["SA102"].message
    assert "Rotate(limit=(-15, 15))" in on_2_0["SA102"].fix
    _on_albumentationsx(monkeypatch)
    # AlbumentationsX calls these angle_range and brightness_range, and drops `limit=` with a warning: a fix
    # quoting the 2.0 name would leave the default ±90° running there.
    on_x = {f.code: f for f in safeaug.validate(pipeline, "chest_xray").findings}
    assert "`angle_range=(-40, 40)`" in on_x["SA102"].message
    assert "Rotate(angle_range=(-15, 15))" in on_x["SA102"].fix
    assert "`brightness_range=(-0.5, 0.5)`" in on_x["SA203"].message
    assert "brightness_range=(-" in on_x["SA203"].fix and "brightness_limit" not in on_x["SA203"].fix


def test_a_dropped_argument_on_albumentationsx_names_what_runs_as_it_spells_it(
    monkeypatch: Any, tmp_path: Path
) -> None:
    _on_albumentationsx(monkeypatch)
    config = tmp_path / "old_name.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "    - __class_fullname__: Rotate\n      limit: [-5, 5]\n      p: 0.5\n"
    )
    monkeypatch.setattr("safeaug.readers.vocabulary.installed_line", _x)  # the reader asks it too
    report = safeaug.validate(config, "chest_xray")
    rotation = next(f for f in report.findings if f.code == "SA102")
    assert "`limit=(-5, 5)` as written; the installed albumentations ignores it and runs `angle_range=(-90, 90)`" in (
        rotation.message
    )
    assert "Rotate(angle_range=(-15, 15))" in rotation.fix


def _x() -> Any:
    from safeaug.readers.vocabulary import Installed

    return Installed("X", "AlbumentationsX 2.5.1", True)


def test_no_example_writes_a_bare_number_for_an_argument_albumentationsx_renamed() -> None:
    # AlbumentationsX refuses a bare number for the range arguments it renamed (Rotate(angle_range=15) fails its
    # schema), so every example writes the range out, which both lines read alike.
    from safeaug.catalog import get_entry, known_names
    from safeaug.catalog._renames import X_ARGUMENTS
    from safeaug.rules import EFFECT_RULES

    kinds = {rule.name: rule.kind for rule in EFFECT_RULES}
    bounds = {"max": 0.1, "min": 0.5, "range": (0.9, 1.1)}
    checked = 0
    for name in sorted(known_names()):
        renamed = set(X_ARGUMENTS.get(name, {}).values())
        entry = get_entry(name)
        assert entry is not None
        for effect, knob in entry.knobs.items():
            if knob.example is None or not renamed:
                continue
            text = knob.example(bounds.get(kinds.get(effect, "flag")))
            if "=" not in text:
                continue
            for key, value in eval(f"dict({text})").items():  # the example is argument text
                if key in renamed:
                    checked += 1
                    assert isinstance(value, tuple), f"{name}({text}): `{key}` needs its range written out"
    assert checked > 20


def test_a_live_transform_built_with_an_argument_albumentations_dropped_says_so() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # albumentations warns once, at construction, and drops the argument
        noise = A.GaussNoise(var_limit=(10, 50), p=1)  # albumentations 1.x's name
        turn = A.Rotate(angle_range=(-5, 5))  # AlbumentationsX's name
        typo = A.Blur(blurr_limit=3)
        always = A.RandomGamma(always_apply=True)
    report = safeaug.validate(A.Compose([noise, turn, typo, always]), "chest_xray")
    notes = {f.location: f for f in report.findings if f.code == "SA502"}
    assert set(notes) == {f"transforms[{i}]" for i in range(4)}
    assert {f.severity for f in notes.values()} == {"warning"}
    assert "runs with `std_range=(0.2, 0.44)`" in notes["transforms[0]"].message  # the default, not 10-50
    assert "runs with `limit=(-90, 90)`" in notes["transforms[1]"].message
    assert notes["transforms[1]"].fix.startswith("Write `limit=...`")
    assert "Did you mean `blur_limit`?" in notes["transforms[2]"].fix
    assert notes["transforms[3]"].fix == "Write `p=1.0` instead of `always_apply=True`."
    # what runs is judged: the default ±90° turn, not the ±5° that was meant
    assert "SA102" in report.codes()
    assert "SA502" not in safeaug.validate(A.Compose([A.Rotate(limit=(-5, 5))]), "chest_xray").codes()
