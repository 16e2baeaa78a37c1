"""How fast is ``safeaug lint`` compared with merely parsing the same files?

    python benchmarks/bench_lint.py [--files 600] [--repeat 3] [--jobs 2]

A realistic corpus is generated (deterministically) in a temporary folder, in equal shares:

* ``albumentations.save`` documents, JSON and YAML, with every parameter written out (as ``A.save`` does),
  the Compose's own keys included;
* whole Hydra training configs (model, optimiser, trainer, data with a train and a val pipeline);
* Python training modules (imports, a dataset class, ``get_transforms`` building train and val pipelines,
  a training loop);

with OneOf/SomeOf groups in many pipelines, and about a third of the files holding transforms the
``chest_xray`` policy refuses. Everything is linted against ``chest_xray``.

Reported, in one run:

(a) in one process: the rate of parsing every file (``json.loads``, libyaml's ``CSafeLoader``, ``ast.parse``,
    reading the files included) against the rate of ``safeaug.lint.lint`` over the same folder (imports
    done beforehand, output discarded), in wall-clock time and in CPU time (which other processes on a
    loaded machine disturb less). Target: lint at >= 0.5x the parse-only rate.
(b) ``safeaug lint DIR --jobs N`` against ``--jobs 1``, each a fresh process (start-up included), median of
    ``--repeat`` runs; with the CPU time per file of each (the processes' own, workers included), which
    says whether the work grew when it was split, whatever else the machine runs.
(c) peak memory (max RSS) of ``safeaug lint DIR --format json`` over N files and over 4N files, each a fresh
    process. Flat in the number of files: the findings are streamed.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from safeaug.catalog._signatures import DEFAULTS, REQUIRED

POLICY = "chest_xray"

# (class, overrides): what chest-radiograph pipelines write; the refused ones mirror, turn far or smear.
ALLOWED: list[tuple[str, dict[str, Any]]] = [
    ("Rotate", {"limit": [-10, 10], "border_mode": 0}),
    ("Affine", {"scale": [0.9, 1.1], "rotate": [-5, 5], "translate_percent": [-0.05, 0.05]}),
    ("RandomBrightnessContrast", {"brightness_limit": [-0.1, 0.1], "contrast_limit": [-0.1, 0.1]}),
    ("RandomGamma", {"gamma_limit": [90, 110]}),
    ("CLAHE", {"clip_limit": [1, 2]}),
    ("GaussianBlur", {"blur_limit": [3, 3], "sigma_limit": [0.1, 0.8]}),
    ("Sharpen", {"alpha": [0.05, 0.1], "lightness": [0.9, 1.1]}),
    ("Resize", {"height": 512, "width": 512}),
]
REFUSED: list[tuple[str, dict[str, Any]]] = [
    ("HorizontalFlip", {}),
    ("VerticalFlip", {}),
    ("Rotate", {"limit": [-90, 90]}),
    ("MotionBlur", {"blur_limit": [3, 9]}),
    ("ElasticTransform", {"alpha": 120, "sigma": 6}),
    ("HueSaturationValue", {}),
]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _saved(name: str, overrides: dict[str, Any], p: float) -> dict[str, Any]:
    """One transform as ``A.save`` writes it: every init argument, defaults included."""
    params = {k: _plain(v) for k, v in DEFAULTS[name].items() if v != REQUIRED}
    params.update(overrides)
    params["p"] = p
    return {"__class_fullname__": name, **params}


def _steps(rng: random.Random, refused: bool) -> list[tuple[str, dict[str, Any], float]]:
    steps = [(n, o, rng.choice([0.3, 0.5, 1.0])) for n, o in rng.sample(ALLOWED, rng.randint(3, 6))]
    if refused:
        n, o = rng.choice(REFUSED)
        steps.insert(rng.randrange(len(steps) + 1), (n, o, 0.5))
    return steps


def _compose_saved(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "__class_fullname__": "Compose",
        "p": 1.0,
        "transforms": items,
        "bbox_params": None,
        "keypoint_params": None,
        "additional_targets": {},
        "is_check_shapes": True,
        "strict": False,
        "mask_interpolation": None,
        "seed": None,
        "save_applied_params": False,
    }


def _grouped(rng: random.Random, items: list[Any], wrap: Any) -> list[Any]:
    """Some pipelines put two or three of their transforms into a OneOf or SomeOf group."""
    if len(items) < 4 or rng.random() < 0.4:
        return items
    k = rng.randint(2, 3)
    at = rng.randrange(len(items) - k + 1)
    return [*items[:at], wrap(rng.choice(["OneOf", "SomeOf"]), items[at : at + k]), *items[at + k :]]


def asave(rng: random.Random, refused: bool) -> dict[str, Any]:
    items = [_saved(n, o, p) for n, o, p in _steps(rng, refused)]

    def wrap(kind: str, group: list[Any]) -> dict[str, Any]:
        extra = {"n": 1, "replace": False} if kind == "SomeOf" else {}
        return {"__class_fullname__": kind, "p": 0.5, "transforms": group, **extra}

    return {"__version__": "2.0.8", "transform": _compose_saved(_grouped(rng, items, wrap))}


def _hydra_pipeline(rng: random.Random, refused: bool) -> dict[str, Any]:
    items = [{"_target_": f"albumentations.{n}", **o, "p": p} for n, o, p in _steps(rng, refused)]

    def wrap(kind: str, group: list[Any]) -> dict[str, Any]:
        extra = {"n": 1} if kind == "SomeOf" else {}
        return {"_target_": f"albumentations.{kind}", "transforms": group, "p": 0.5, **extra}

    return {"_target_": "albumentations.Compose", "transforms": _grouped(rng, items, wrap)}


def hydra(rng: random.Random, refused: bool) -> dict[str, Any]:
    val = {
        "_target_": "albumentations.Compose",
        "transforms": [{"_target_": "albumentations.Resize", "height": 512, "width": 512}],
    }
    return {
        "defaults": ["_self_", {"model": "densenet121"}, {"logger": "tensorboard"}],
        "seed": rng.randint(0, 10_000),
        "model": {
            "_target_": "torchvision.models.densenet121",
            "num_classes": 14,
            "weights": "IMAGENET1K_V1",
        },
        "optimizer": {"_target_": "torch.optim.AdamW", "lr": 3e-4, "weight_decay": 1e-4},
        "scheduler": {"_target_": "torch.optim.lr_scheduler.CosineAnnealingLR", "T_max": 50},
        "trainer": {"max_epochs": 50, "precision": "16-mixed", "accelerator": "gpu", "devices": 1},
        "data": {
            "root": "/data/cxr14",
            "batch_size": 32,
            "num_workers": 8,
            "labels": ["Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule"],
            "train": {"csv": "train.csv", "transform": _hydra_pipeline(rng, refused)},
            "val": {"csv": "val.csv", "transform": val},
        },
        "callbacks": [
            {"_target_": "lightning.pytorch.callbacks.ModelCheckpoint", "monitor": "val/auc", "mode": "max"},
            {"_target_": "lightning.pytorch.callbacks.EarlyStopping", "monitor": "val/auc", "patience": 5},
        ],
    }


def _call(name: str, overrides: dict[str, Any], p: float) -> str:
    args = [f"{k}={tuple(v) if isinstance(v, list) else v!r}" for k, v in overrides.items()]
    return f"A.{name}({', '.join([*args, f'p={p}'])})"


def python_module(rng: random.Random, refused: bool) -> str:
    calls = [_call(n, o, p) for n, o, p in _steps(rng, refused)]

    def wrap(kind: str, group: list[str]) -> str:
        inner = ",\n            ".join(group)
        extra = "n=1, " if kind == "SomeOf" else ""
        return f"A.{kind}(\n            [\n            {inner},\n            ],\n            {extra}p=0.5,\n        )"

    body = ",\n        ".join(_grouped(rng, calls, wrap))
    return f'''"""Training on chest radiographs: data, augmentation and the loop."""

from __future__ import annotations

import os
from pathlib import Path

import albumentations as A
import cv2
import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, Dataset

IMAGE_SIZE = 512
LABELS = ["Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule"]


class ChestDataset(Dataset):
    def __init__(self, frame: pd.DataFrame, root: Path, transform: A.Compose | None = None) -> None:
        self.frame = frame.reset_index(drop=True)
        self.root = root
        self.transform = transform

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        row = self.frame.iloc[index]
        image = cv2.imread(str(self.root / row["path"]), cv2.IMREAD_GRAYSCALE)
        if self.transform is not None:
            image = self.transform(image=image)["image"]
        target = torch.tensor(row[LABELS].to_numpy(dtype=np.float32))
        return torch.from_numpy(image[None].astype(np.float32) / 255.0), target


def get_transforms(train: bool) -> A.Compose:
    if not train:
        return A.Compose([A.Resize(IMAGE_SIZE, IMAGE_SIZE)])
    return A.Compose(
        [
        {body},
        ]
    )


def train_one_epoch(model: torch.nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    model.train()
    total = 0.0
    for images, targets in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(images), targets)
        loss.backward()
        optimizer.step()
        total += float(loss)
    return total / max(len(loader), 1)


def main() -> None:
    root = Path(os.environ.get("CXR_ROOT", "/data/cxr14"))
    frame = pd.read_csv(root / "train.csv")
    loader = DataLoader(ChestDataset(frame, root, get_transforms(True)), batch_size=32, shuffle=True)
    model = torch.hub.load("pytorch/vision", "densenet121", num_classes=len(LABELS))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    for epoch in range({rng.randint(10, 60)}):
        print(epoch, train_one_epoch(model, loader, optimizer))


if __name__ == "__main__":
    main()
'''


def generate(folder: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    kinds = ["asave-json", "asave-yaml", "hydra-yaml", "python"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        refused = i % 3 == 0
        if kind == "asave-json":
            text = json.dumps(asave(rng, refused), indent=4)
        elif kind == "asave-yaml":
            text = yaml.safe_dump(asave(rng, refused), sort_keys=False)
        elif kind == "hydra-yaml":
            text = yaml.safe_dump(hydra(rng, refused), sort_keys=False)
        else:
            text = python_module(rng, refused)
        suffix = {"asave-json": ".json", "python": ".py"}.get(kind, ".yaml")
        (folder / f"cfg{i:05d}-{kind}{suffix}").write_text(text)


# ------------------------------------------------------------------------------------------- measuring


def parse_all(files: list[Path]) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for file in files:
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".json":
            json.loads(text)
        elif file.suffix == ".py":
            ast.parse(text)
        else:
            yaml.load(text, Loader=loader)  # the safe C loader


def lint_all(folder: Path, jobs: int = 1) -> int:
    from safeaug.lint import lint

    findings = 0

    def count(outcome: Any) -> None:
        nonlocal findings
        findings += len(outcome.findings)

    result = lint([str(folder)], policy=POLICY, jobs=jobs, on_file=count)
    if result.problems:
        raise SystemExit(f"unreadable files in the corpus: {result.problems[:3]}")
    return findings


def best_of(repeat: int, run: Any, clock: Any = time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        run()
        times.append(clock() - start)
    return min(times)


def cli(folder: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "safeaug.cli", "lint", str(folder), "--policy", POLICY, *extra]


def timed_process(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall-clock seconds of a fresh process, and median CPU seconds (user + system) it and the
    processes it waited for (workers) used."""
    import resource

    runs, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-1000:]}")
    return statistics.median(runs), statistics.median(cpu)


def peak_rss_kib(command: list[str]) -> int:
    """Max RSS of a fresh process running ``command`` (KiB), read from the process itself."""
    code = (
        "import resource, runpy, sys, io, contextlib\n"
        f"sys.argv = {command[2:]!r}\n"
        "sys.argv[0] = 'safeaug'\n"
        "out = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        runpy.run_module('safeaug.cli', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="processes for (b); default 2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        folder = tmp / "configs"
        folder.mkdir()
        generate(folder, args.files)
        files = sorted(folder.iterdir())
        size = sum(f.stat().st_size for f in files)
        print(f"corpus: {len(files)} files, {size / len(files) / 1024:.1f} KiB each on average, policy {POLICY}")

        lint_all(folder)  # imports, caches of the policy and the catalog: what every later file finds warm
        parse = best_of(args.repeat, lambda: parse_all(files))
        linted = best_of(args.repeat, lambda: lint_all(folder))
        parse_cpu = best_of(args.repeat, lambda: parse_all(files), time.process_time)
        lint_cpu = best_of(args.repeat, lambda: lint_all(folder), time.process_time)
        parse_rate, lint_rate = len(files) / parse, len(files) / linted
        n = len(files)
        print(f"(a) one process, best of {args.repeat}")
        print(f"    parse only (json, CSafeLoader, ast)  {parse:.3f} s  {parse_rate:,.0f} files/s")
        print(f"    safeaug lint                          {linted:.3f} s  {lint_rate:,.0f} files/s")
        ratio = lint_rate / parse_rate
        print(f"    lint / parse rate = {ratio:.2f}  (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
        cpu_ratio = parse_cpu / lint_cpu
        print(
            f"    CPU time per file: parse {parse_cpu / n * 1000:.3f} ms, lint {lint_cpu / n * 1000:.3f} ms; "
            f"lint / parse rate in CPU time = {cpu_ratio:.2f}"
        )

        env_note = f"{os.cpu_count()} CPUs"
        one, one_cpu = timed_process(cli(folder, "--jobs", "1"), args.repeat)
        many, many_cpu = timed_process(cli(folder, "--jobs", str(args.jobs)), args.repeat)
        print(f"(b) fresh processes, median of {args.repeat} ({env_note})")
        print(
            f"    safeaug lint DIR --jobs 1   {one:.3f} s  {n / one:,.0f} files/s  "
            f"CPU {one_cpu / n * 1000:.2f} ms per file"
        )
        print(
            f"    safeaug lint DIR --jobs {args.jobs}   {many:.3f} s  {n / many:,.0f} files/s  "
            f"CPU {many_cpu / n * 1000:.2f} ms per file"
        )
        print(f"    speed-up = {one / many:.2f}x (CPU per file {many_cpu / one_cpu:.2f}x that of --jobs 1)")

        big = tmp / "big"
        big.mkdir()
        generate(big, 4 * args.files, seed=2)
        small_rss = peak_rss_kib(cli(folder, "--format", "json"))
        big_rss = peak_rss_kib(cli(big, "--format", "json"))
        print("(c) peak RSS of safeaug lint DIR --format json")
        print(f"    {args.files:>6} files  {small_rss / 1024:.1f} MiB")
        print(f"    {4 * args.files:>6} files  {big_rss / 1024:.1f} MiB  (ratio {big_rss / small_rss:.2f})")


if __name__ == "__main__":
    main()
