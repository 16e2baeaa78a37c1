"""How fast is ``safeaug lint``? Cold start against importing albumentations; throughput against yamllint.

    python benchmarks/bench_lint.py [--files 1000] [--repeat 5]

(a) Cold start: ``safeaug lint one_small_file.yaml`` in a fresh interpreter, against
    ``python -c "import albumentations"`` (what any tool that builds the pipeline to check it pays first).
    Target: at most 0.3 s.
(b) Throughput: ``safeaug lint DIR`` over generated small configs in every dialect the installed readers
    accept (A.save JSON and YAML always; Hydra YAML and Python source when the readers take them), against
    ``yamllint`` (syntax and style only, no semantics) on the same files. Target: at least 1,000 files/s.
Numbers are wall-clock medians of ``--repeat`` runs after one warm-up; each run is a separate process, as in
CI, with bytecode caching on (in a temporary cache folder), as an installed package has it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

SAFEAUG = [sys.executable, "-m", "safeaug.cli"]

# (name, argument sampler) for small, plausible pipelines; both safe and unsafe choices under `natural`.
TRANSFORMS: list[tuple[str, Callable[[random.Random], dict[str, Any]]]] = [
    ("HorizontalFlip", lambda r: {}),
    ("VerticalFlip", lambda r: {}),
    ("Rotate", lambda r: {"limit": [-(lim := r.choice([5, 10, 30, 90])), lim]}),
    ("RandomBrightnessContrast", lambda r: {"brightness_limit": [-0.2, 0.2], "contrast_limit": [-0.2, 0.2]}),
    ("GaussianBlur", lambda r: {"blur_limit": [3, 7], "sigma_limit": [0.1, r.choice([1.0, 2.0])]}),
    ("RandomGamma", lambda r: {"gamma_limit": [80, 120]}),
    ("HueSaturationValue", lambda r: {"hue_shift_limit": [-10, 10], "sat_shift_limit": [-20, 20]}),
    ("CoarseDropout", lambda r: {"num_holes_range": [1, 4], "hole_height_range": [0.05, 0.1]}),
]


def _pipeline(rng: random.Random) -> list[tuple[str, dict[str, Any], float]]:
    chosen = rng.sample(TRANSFORMS, rng.randint(3, 6))
    return [(name, sample(rng), rng.choice([0.2, 0.5, 1.0])) for name, sample in chosen]


def _asave(steps: list[tuple[str, dict[str, Any], float]]) -> dict[str, Any]:
    return {
        "__version__": "2.0.8",
        "transform": {
            "__class_fullname__": "Compose",
            "p": 1.0,
            "transforms": [{"__class_fullname__": n, **a, "p": p} for n, a, p in steps],
        },
    }


def _hydra(steps: list[tuple[str, dict[str, Any], float]]) -> dict[str, Any]:
    return {
        "_target_": "albumentations.Compose",
        "transforms": [{"_target_": f"albumentations.{n}", **a, "p": p} for n, a, p in steps],
    }


def _python(steps: list[tuple[str, dict[str, Any], float]]) -> str:
    calls = ",\n".join(
        f"    A.{n}({', '.join([*(f'{k}={tuple(v)!r}' for k, v in a.items()), f'p={p}'])})" for n, a, p in steps
    )
    return f"import albumentations as A\n\ntrain = A.Compose([\n{calls},\n])\n"


DIALECTS: dict[str, tuple[str, Callable[[list[tuple[str, dict[str, Any], float]]], str]]] = {
    "asave-json": (".json", lambda s: json.dumps(_asave(s), indent=2)),
    "asave-yaml": (".yaml", lambda s: yaml.safe_dump(_asave(s), sort_keys=False)),
    "hydra-yaml": (".yaml", lambda s: yaml.safe_dump(_hydra(s), sort_keys=False)),
    "python": (".py", _python),
}


def _accepted(tmp: Path) -> list[str]:
    """The dialects the installed readers read into at least one pipeline."""
    from safeaug.readers import read_config

    rng = random.Random(0)
    ok = []
    for name, (suffix, render) in DIALECTS.items():
        probe = tmp / f"probe-{name}{suffix}"
        probe.write_text(render(_pipeline(rng)))
        try:
            if read_config(probe):
                ok.append(name)
        except Exception:  # a dialect this safeaug does not read yet is left out
            pass
        probe.unlink()
    return ok


def _generate(folder: Path, count: int, dialects: list[str]) -> None:
    rng = random.Random(1)
    for i in range(count):
        name = dialects[i % len(dialects)]
        suffix, render = DIALECTS[name]
        (folder / f"cfg{i:05d}-{name}{suffix}").write_text(render(_pipeline(rng)))


def _time(command: list[str], repeat: int, env: dict[str, str], ok_codes: tuple[int, ...] = (0, 1)) -> float:
    runs = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        if i:  # the first run only fills the bytecode cache
            runs.append(time.perf_counter() - start)
        if done.returncode not in ok_codes:
            raise SystemExit(f"{' '.join(command[:6])} ... exited {done.returncode}:\n{done.stderr[-2000:]}")
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        one = tmp / "one_small_file.yaml"
        one.write_text(DIALECTS["asave-yaml"][1](_pipeline(random.Random(2))))
        lint_one = _time([*SAFEAUG, "lint", str(one), "--policy", "natural"], args.repeat, env)
        albu = _time([sys.executable, "-c", "import albumentations"], args.repeat, env, ok_codes=(0,))
        bare = _time([sys.executable, "-c", "pass"], args.repeat, env, ok_codes=(0,))
        print("(a) cold start, median of", args.repeat)
        print(f"    python -c pass                    {bare:.3f} s")
        print(f"    python -c 'import albumentations' {albu:.3f} s")
        print(
            f"    safeaug lint one_small_file.yaml  {lint_one:.3f} s  (target <= 0.300 s: "
            f"{'met' if lint_one <= 0.3 else 'NOT met'})"
        )
        print(f"    ratio safeaug lint / import albumentations = {lint_one / albu:.2f}")

        dialects = _accepted(tmp)
        folder = tmp / "configs"
        folder.mkdir()
        _generate(folder, args.files, dialects)
        lint_all = _time([*SAFEAUG, "lint", str(folder), "--policy", "natural"], args.repeat, env)
        rate = args.files / lint_all
        print(f"(b) throughput over {args.files} configs ({', '.join(dialects)}), median of {args.repeat}")
        print(
            f"    safeaug lint DIR   {lint_all:.3f} s  {rate:,.0f} files/s  (target >= 1,000 files/s: "
            f"{'met' if rate >= 1000 else 'NOT met'})"
        )
        print(f"    without start-up   {args.files / max(lint_all - lint_one, 1e-9):,.0f} files/s")
        yamllint = shutil.which("yamllint") or str(Path(sys.executable).parent / "yamllint")
        if Path(yamllint).exists():
            files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
            yl = _time([yamllint, "-d", "relaxed", *files], args.repeat, env)
            print(
                f"    yamllint (relaxed) {yl:.3f} s  {len(files) / yl:,.0f} files/s over the {len(files)} "
                "YAML/JSON files"
            )
            print(f"    ratio safeaug lint / yamllint throughput = {rate / (len(files) / yl):.2f}")
        else:
            print("    yamllint not installed (pip install yamllint) - no comparison")


if __name__ == "__main__":
    main()
