"""SA502: an argument the installed albumentations drops is judged as it will run."""

from __future__ import annotations

from pathlib import Path

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
