"""Cold start: ``safeaug lint`` of one config holding a MotionBlur, against ``python -c pass``.

    python benchmarks/bench_cold_start.py [--repeat 15]

Both run as fresh processes with bytecode caching on (in a temporary cache folder, as an installed package
has it; the first run of each fills the cache and is not counted). Reported: the medians and their ratio.
Target: the lint within 6x of the bare interpreter. Also lists which of numpy, pydantic, albumentations
and cv2 the lint imported (none, for a built-in policy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """\
__version__: 2.0.8
transform:
  __class_fullname__: Compose
  p: 1.0
  transforms:
  - __class_fullname__: MotionBlur
    blur_limit: [3, 9]
    p: 0.5
  - __class_fullname__: Rotate
    limit: [-10, 10]
    p: 0.5
  - __class_fullname__: RandomBrightnessContrast
    brightness_limit: [-0.1, 0.1]
    contrast_limit: [-0.1, 0.1]
    p: 0.5
"""

HEAVY = ("numpy", "pydantic", "albumentations", "cv2")


def median_time(command: list[str], repeat: int, env: dict[str, str]) -> float:
    runs = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=env)
        if i:
            runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--policy", default="chest_xray")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        config = tmp / "train.yaml"
        config.write_text(CONFIG)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        lint = [sys.executable, "-m", "safeaug.cli", "lint", str(config), "--policy", args.policy]
        bare = median_time([sys.executable, "-c", "pass"], args.repeat, env)
        linted = median_time(lint, args.repeat, env)
        probe = (
            "import contextlib, io, sys, safeaug.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    safeaug.cli.main(['lint', {str(config)!r}, '--policy', {args.policy!r}])\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules) or 'none')\n"
        )
        loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
        ratio = linted / bare
        print(f"cold start, median of {args.repeat} fresh processes")
        print(f"    python -c pass                    {bare:.3f} s")
        print(f"    safeaug lint train.yaml (MotionBlur, --policy {args.policy})  {linted:.3f} s")
        print(f"    ratio = {ratio:.1f}x  (target <= 6x: {'met' if ratio <= 6 else 'NOT met'})")
        print(f"    heavy modules imported by the lint: {loaded.stdout.strip() or loaded.stderr.strip()[-300:]}")


if __name__ == "__main__":
    main()
