"""``safeaug review``: build a review page, apply readers' verdicts, measure their agreement.

    safeaug review CONFIG --policy P --images PATH... -o OUTDIR [--samples N] [--blind] [--set K=V] [--seed S]
    safeaug review apply REVIEW.yaml... -o POLICY.yaml [--key KEY.yaml]
    safeaug review agreement A.yaml B.yaml... [--key KEY.yaml]

Exit codes: 0 done; 2 usage error or unreadable input (a malformed review file names file, line and what
was expected).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="safeaug review",
        description="Build a page that shows every effect of a pipeline at 25%%, 50%%, 75%% and 100%% of its bound "
        "on your images, beside random draws, for domain experts to accept or reject. Also: "
        "`safeaug review apply REVIEW.yaml... -o POLICY.yaml` and `safeaug review agreement A.yaml B.yaml...`.",
    )
    p.add_argument("config", metavar="CONFIG", help="the pipeline config (.json, .yaml, .yml, .py)")
    p.add_argument("--policy", required=True, help="a built-in policy id or a policy file")
    p.add_argument("--images", nargs="+", required=True, metavar="PATH", help="input images (PNG, JPEG, TIFF, DICOM)")
    p.add_argument("-o", "--outdir", required=True, help="folder to write index.html, review.yaml and images/ to")
    p.add_argument("--samples", type=int, default=4, help="random draws of the whole pipeline per image (default 4)")
    p.add_argument("--blind", action="store_true", help="shuffle originals and augmented images, without captions")
    p.add_argument("--seed", type=int, default=0, help="seed of the random draws (default 0)")
    p.add_argument(
        "--labels",
        metavar="FILE",
        help="YAML mapping an image's file name to {mask: PATH, keypoints: [[x, y], ...], "
        "bboxes: [[x1, y1, x2, y2], ...]}",
    )
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="params", help="a policy parameter")
    return p


def _apply_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="safeaug review apply",
        description="Write a policy that extends the reviewed one, bounding each effect a reader rejected by the "
        "largest magnitude every reader accepted. A review only tightens.",
    )
    p.add_argument("reviews", nargs="+", metavar="REVIEW.yaml", help="the readers' exported review files")
    p.add_argument("-o", "--output", required=True, metavar="POLICY.yaml", help="the policy file to write")
    p.add_argument("--key", help="the key of a blinded review (default: the one it names, beside its folder)")
    p.add_argument("--id", dest="policy_id", help="the new policy's id (default: <reviewed id>_reviewed)")
    return p


def _agreement_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="safeaug review agreement",
        description="Agreement between readers per effect and overall: Cohen's kappa for two, Fleiss' for more.",
    )
    p.add_argument("reviews", nargs="+", metavar="REVIEW.yaml")
    p.add_argument("--key", help="the key of a blinded review")
    return p


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    try:
        if args and args[0] == "apply":
            return _apply(_apply_parser().parse_args(args[1:]))
        if args and args[0] == "agreement":
            return _agreement(_agreement_parser().parse_args(args[1:]))
        return _build(_build_parser().parse_args(args))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2


def _errors() -> tuple[type[Exception], ...]:
    from safeaug.errors import SafeaugError
    from safeaug.lint.settings import SettingsError

    return (SafeaugError, SettingsError)


def _fail(exc: Exception) -> int:
    print(f"safeaug: error: {exc}", file=sys.stderr)
    return 2


def _build(ns: argparse.Namespace) -> int:
    try:
        from safeaug.lint.settings import parse_param
        from safeaug.review.builder import build

        params = dict(parse_param(p) for p in ns.params)
        labels = _labels(ns.labels) if ns.labels else None
        review = build(
            ns.config,
            ns.policy,
            ns.images,
            ns.outdir,
            samples=ns.samples,
            blind=ns.blind,
            params=params,
            seed=ns.seed,
            labels=labels,
        )
    except _errors() as exc:
        return _fail(exc)
    print(f"wrote {review.page} ({len(review.items)} images) and {review.review_file}")
    print(
        "readers: Export when done (the exported file is the record). A page opened from disk may lose its "
        f"marks on a reload in Chromium; to come back to it, serve it: python -m http.server -d {review.page.parent}"
    )
    if review.key_file is not None:
        print(f"blinding key: {review.key_file} (keep it away from the readers; `review apply` needs it)")
    if review.random_only:
        print(
            f"{len(review.random_only)} effects could not be pinned and are shown only in random draws "
            "(listed on the page)"
        )
    return 0


def _labels(path: str) -> dict[str, Any]:
    from safeaug._yaml import load_with_lines
    from safeaug.review.images import ReviewInputError

    file = Path(path)
    try:
        data, _ = load_with_lines(file.read_text(encoding="utf-8"), str(file))
    except OSError as exc:
        raise ReviewInputError(f"{file}: cannot read the labels file ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ReviewInputError(
            f"{file}:1: expected a mapping from image file name to {{mask: ..., keypoints: ..., bboxes: ...}}"
        )
    return data


def _apply(ns: argparse.Namespace) -> int:
    try:
        from safeaug.review.tighten import apply, read_reviews, verdicts

        policy = apply(ns.reviews, ns.output, key=ns.key, policy_id=ns.policy_id)
        found = verdicts(read_reviews(ns.reviews, ns.key), policy)
    except _errors() as exc:
        return _fail(exc)
    print(f"wrote {ns.output}: policy `{policy.id}` extends the reviewed policy")
    for v in found:
        inv = policy.invariant(v.effect)
        bound = inv.bound_text() if inv is not None else "not bounded"
        print(f"  {v.effect}: {v.shown} images, {len(v.rejected)} rejected, now {bound}")
    return 0


def _agreement(ns: argparse.Namespace) -> int:
    try:
        from safeaug.review.kappa import agreement

        result = agreement(ns.reviews, key=ns.key)
    except _errors() as exc:
        return _fail(exc)
    sys.stdout.write(result.text())
    return 0
