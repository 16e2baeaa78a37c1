"""Build a review: the extremes of every effect on every input, random draws, the page and review.yaml."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import os
import random
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from safeaug.errors import ConfigError, PolicyError
from safeaug.ir import Node
from safeaug.policies import list_policies, load_policy
from safeaug.readers.vocabulary import label_params
from safeaug.review.extremes import Shot, TransformPlan, plan_transform
from safeaug.review.images import (
    Array,
    ReviewImage,
    ReviewInputError,
    draw_labels,
    from_array,
    load_image,
    to_display,
    write_png,
)
from safeaug.review.reviewfile import FORMAT, dump_review
from safeaug.rules import RULES_BY_NAME


@dataclass
class Review:
    """What :func:`build` wrote: the page, the review file, the key of a blinded review, and the items."""

    outdir: Path
    page: Path
    review_file: Path
    key_file: Path | None
    items: list[dict[str, Any]]
    random_only: list[dict[str, str]] = field(default_factory=list)


def _a() -> Any:
    import albumentations as A

    return A


# ------------------------------------------------------------------------------------------ pipelines

_COMPOSE_ARGS = {"n", "replace"}


def build_live(node: Node) -> Any:
    """An albumentations pipeline built from a pipeline tree read from a config file.

    Only albumentations classes are built, by name from the albumentations namespace; a dotted name (a
    project's own transform) is never imported.
    """
    A = _a()
    if node.obj is not None:
        return node.obj
    name = "Compose" if node.name == "safeaug.compose.Compose" else node.name
    cls = getattr(A, name, None) if "." not in name else None
    if not isinstance(cls, type):
        raise ConfigError(
            f"cannot run `{node.name}`: only albumentations transforms are built from a config file; to review a "
            "pipeline with your own transforms, pass the pipeline object from Python (safeaug.review.build)",
            line=node.line,
        )
    p = 1.0 if node.p is None else node.p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if node.is_composition:
                kids = [build_live(c) for c in node.children]
                kwargs = {k: v for k, v in node.params.items() if k in _COMPOSE_ARGS}
                return cls(kids, p=p, **kwargs)
            return cls(**_arguments(node), p=p)
        except ConfigError:
            raise
        except Exception as exc:  # albumentations validates arguments with many exception types
            raise ConfigError(f"cannot build `{node.name}` ({exc})", line=node.line) from None


def _arguments(node: Node) -> dict[str, Any]:
    return {k: v for k, v in dict(node.params).items() if k not in ("p", "always_apply")}


def _shot_transform(node: Node, overrides: Mapping[str, Any]) -> Any:
    """The transform of ``node`` with ``overrides`` pinned, always applied.

    An argument is pinned with a pair ``(v, v)``; one given as a bare number whose transform accepts no
    pair (``alpha`` of ElasticTransform) is a fixed value already and is pinned with the number.
    """
    from safeaug.catalog._registry import defaults_for

    A = _a()
    cls = type(node.obj) if node.obj is not None else getattr(A, node.name, None)
    if not isinstance(cls, type):
        raise ConfigError(f"cannot build `{node.name}`")
    args = _arguments(node)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cls(**{**args, **overrides}, p=1.0)
        except Exception:
            defaults = defaults_for(node.name)
            scalar = {
                k: v[0]
                for k, v in overrides.items()
                if isinstance(v, tuple) and isinstance(args.get(k, defaults.get(k)), (int, float))
            }
            if not scalar:
                raise
            return cls(**{**args, **overrides, **scalar}, p=1.0)


def _transforms_of(pipeline: Any) -> list[Any]:
    A = _a()
    if isinstance(pipeline, A.BaseCompose):
        return list(pipeline.transforms)
    if isinstance(pipeline, (list, tuple)):
        return list(pipeline)
    return [pipeline]


def _compose(transforms: Sequence[Any], img: ReviewImage, seed: int) -> Any:
    A = _a()
    kwargs: dict[str, Any] = {}
    if img.keypoints:
        kwargs["keypoint_params"] = label_params("KeypointParams", format="xy", remove_invisible=False)
    if img.bboxes:
        kwargs["bbox_params"] = label_params(
            "BboxParams", format="pascal_voc", label_fields=[], clip=True, min_visibility=0.0
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return A.Compose(list(transforms), p=1.0, seed=seed, save_applied_params=True, strict=False, **kwargs)


# Transforms that take other images through a metadata key, and what a review gives them: the other review
# images (the image itself when it is the only one), as Mosaic's items with their labels, or as the reference
# images of a domain adaptation. Any other metadata (overlays, text) cannot be made from the images.
_MOSAIC_ITEMS = ("Mosaic",)
_REFERENCE_IMAGES = ("FDA", "HistogramMatching", "PixelDistributionAdaptation")


def _needs_metadata(transforms: Sequence[Any]) -> list[Any]:
    """Every transform in ``transforms`` (compositions walked) that reads other data through a metadata key."""
    found = []
    stack = list(transforms)
    while stack:
        t = stack.pop()
        stack.extend(getattr(t, "transforms", None) or [])
        if isinstance(getattr(t, "metadata_key", None), str):
            found.append(t)
    return found


def _of_kind(t: Any, names: tuple[str, ...]) -> bool:
    A = _a()
    return any(isinstance(t, cls) for cls in (getattr(A, name, None) for name in names) if isinstance(cls, type))


def _partner(img: ReviewImage, other: ReviewImage) -> dict[str, Any]:
    """``other`` as one of Mosaic's items, with the labels ``img`` carries (none of its own: empty)."""
    item: dict[str, Any] = {"image": other.image}
    if img.mask is not None:
        fits = other.mask is not None and other.mask.shape[:2] == other.image.shape[:2]
        item["mask"] = other.mask if fits else np.zeros(other.image.shape[:2], dtype=img.mask.dtype)
    if img.bboxes:
        item["bboxes"] = np.asarray(other.bboxes, dtype=np.float32).reshape(-1, 4)
    if img.keypoints:
        item["keypoints"] = np.asarray(other.keypoints, dtype=np.float32).reshape(-1, 2)
    return item


def _metadata(transforms: Sequence[Any], img: ReviewImage, others: Sequence[ReviewImage]) -> dict[str, Any]:
    """The metadata the transforms that take other images need, made from the other review images."""
    partners = [o for o in others if o is not img] or [img]
    data: dict[str, Any] = {}
    for t in _needs_metadata(transforms):
        if _of_kind(t, _MOSAIC_ITEMS):
            data[t.metadata_key] = [_partner(img, o) for o in partners]
        elif _of_kind(t, _REFERENCE_IMAGES):
            # (a reference of another kind of image than this one's, grey against colour, cannot be matched)
            alike = [o.image for o in partners if o.image.ndim == img.image.ndim and o.image.dtype == img.image.dtype]
            data[t.metadata_key] = alike or [img.image]
    return data


def _run(transforms: Sequence[Any], img: ReviewImage, seed: int, others: Sequence[ReviewImage] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {"image": img.image}
    if img.mask is not None:
        data["mask"] = img.mask
    if img.keypoints:
        data["keypoints"] = np.asarray(img.keypoints, dtype=np.float32)
    if img.bboxes:
        data["bboxes"] = np.asarray(img.bboxes, dtype=np.float32)
    data.update(_metadata(transforms, img, others))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out: dict[str, Any] = _compose(transforms, img, seed)(**data)
    return out


def _run_on(
    transforms: Sequence[Any], img: ReviewImage, seed: int, what: str, others: Sequence[ReviewImage] = ()
) -> dict[str, Any]:
    """:func:`_run`, with a failure of the pipeline reported as bad input that names the image."""
    try:
        return _run(transforms, img, seed, others)
    except Exception as exc:  # albumentations raises many types for inputs a transform cannot take
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        unmade = [t for t in _needs_metadata(transforms) if not _of_kind(t, (*_MOSAIC_ITEMS, *_REFERENCE_IMAGES))]
        if unmade:
            t = unmade[0]
            why = (
                f"{type(t).__name__} reads `{t.metadata_key}`, data beside the image that a review cannot make "
                "from the images (it makes Mosaic's other images and the reference images of FDA, "
                "HistogramMatching and PixelDistributionAdaptation from the other review images): review the "
                f"pipeline without {type(t).__name__}"
            )
        else:
            why = "a review runs the pipeline on each image as it is, with the other review images as its partners"
        raise ReviewInputError(f"{img.name}: {what} failed on this image ({first}); {why}") from None


def _picture(img: ReviewImage, out: Mapping[str, Any]) -> Array:
    rgb = to_display(out["image"], img.window, img.inverted)
    return draw_labels(rgb, out.get("mask"), list(out.get("keypoints", [])), list(out.get("bboxes", [])))


# ------------------------------------------------------------------------------------------ captions


def _short(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.3g}"
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return "[" + ", ".join(_short(v) for v in value.ravel()) + "]"
        return f"array{tuple(value.shape)}"
    if isinstance(value, (list, tuple)):
        if len(value) > 6:
            return f"{len(value)} values"
        inner = ", ".join(_short(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_NOT_SHOWN = {"shape", "bbox_matrix"}


def applied_text(applied: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """The parameters albumentations drew (``save_applied_params``), one transform per ``;``."""
    parts = []
    for name, params in applied:
        shown = ", ".join(f"{k}={_short(v)}" for k, v in params.items() if k not in _NOT_SHOWN)
        parts.append(f"{name}({shown})")
    return "; ".join(parts) if parts else "nothing applied"


def _pinned_text(overrides: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_short(v)}" for k, v in overrides.items())


# ------------------------------------------------------------------------------------------ building


def _policy_ref(policy: Any) -> str:
    if isinstance(policy, (str, os.PathLike)):
        text = os.fspath(policy)
        if text in list_policies() or not (text.endswith((".yaml", ".yml", ".json")) or "/" in text):
            return text
        return str(Path(text).resolve())
    raise PolicyError("a review records its policy: pass a built-in id or a policy file, not a Policy object")


def _read_images(images: Sequence[Any], labels: Mapping[str, Mapping[str, Any]] | None) -> list[ReviewImage]:
    out = []
    for i, item in enumerate(images):
        if isinstance(item, ReviewImage):
            out.append(item)
        elif isinstance(item, np.ndarray):
            out.append(from_array(f"image{i + 1}", item))
        else:
            path = Path(os.fspath(item))
            found = (labels or {}).get(path.name) or (labels or {}).get(str(item))
            out.append(load_image(path, found))
    if not out:
        raise ReviewInputError("no input images: give at least one with --images")
    return out


def _magnitude_text(effect: str, magnitude: float) -> str:
    rule = RULES_BY_NAME[effect]
    if rule.kind == "flag":
        return "on"
    if rule.kind == "max":
        sign = "+" if magnitude > 0 else ("−" if magnitude < 0 else "")
        return f"{sign}{abs(magnitude):.3g}{rule.unit}"
    if rule.kind == "range":
        return f"{magnitude:.3g}{'' if effect == 'gamma' else '×'}"
    return f"{magnitude:.3g}{rule.unit}"


def build(
    pipeline: Any,
    policy: Any,
    images: Sequence[Any],
    outdir: str | os.PathLike[str],
    *,
    samples: int = 4,
    blind: bool = False,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    labels: Mapping[str, Mapping[str, Any]] | None = None,
) -> Review:
    """Write a review of ``pipeline`` on ``images`` to ``outdir``: ``index.html``, its PNGs and ``review.yaml``.

    ``pipeline`` is an albumentations pipeline or a path to a config; ``policy`` a built-in id or a policy
    file (recorded in the review, so that ``review apply`` can extend it); ``images`` paths (PNG, JPEG,
    TIFF, DICOM) or :class:`~safeaug.review.images.ReviewImage` objects; ``labels`` maps an image's file
    name to ``{"mask": path, "keypoints": [[x, y], ...], "bboxes": [[x1, y1, x2, y2], ...]}``. With
    ``blind``, originals and augmented images are shuffled together without captions; the key that
    unblinds them is written beside ``outdir`` (``<outdir>.key.yaml``), not inside it.
    """
    from safeaug.readers import read_pipeline
    from safeaug.validators import validate

    policy_params = dict(params or {})
    ref = _policy_ref(policy)
    loaded = load_policy(ref, **policy_params)
    if isinstance(pipeline, (str, os.PathLike)):
        pipeline_ref = os.fspath(pipeline)  # as given: a record for the readers and the policy's provenance
        root = read_pipeline(pipeline)
        try:
            live = build_live(root)
        except ConfigError as exc:
            raise ConfigError(exc.bare_message, path=os.fspath(pipeline), line=exc.line) from None
    else:
        pipeline_ref = type(pipeline).__name__ + " object"
        root = read_pipeline(pipeline)
        live = pipeline
    if samples < 0:
        raise ReviewInputError(f"--samples: expected a number ≥ 0, got {samples}")
    inputs = _read_images(images, labels)
    report = validate(root, loaded)
    out = Path(outdir)
    pictures = out / "images"
    pictures.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)

    plans = [plan_transform(leaf) for leaf in root.leaves() if leaf.p != 0]
    originals = []
    for k, img in enumerate(inputs):
        name = f"original-{k + 1}.png"
        write_png(pictures / name, _picture(img, _run([], img, seed)))
        originals.append(f"images/{name}")

    items: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    random_only: list[dict[str, str]] = []
    counter = 0
    for plan in plans:
        shots = _confirmed(plan, inputs, seed)
        for effect, why in plan.random_only.items():
            random_only.append(
                {"transform": plan.node.name, "location": plan.node.location, "effect": effect, "why": why}
            )
        by_effect: dict[str, list[Shot]] = {}
        for shot in shots:
            by_effect.setdefault(shot.effect, []).append(shot)
        for effect, group in by_effect.items():
            group.sort(key=lambda s: (s.direction, s.fraction if s.direction > 0 else -s.fraction))
            rows = []
            for k, img in enumerate(inputs):
                cells = []
                for shot in group:
                    counter += 1
                    item_id = f"e{counter:04d}"
                    transform = _shot_transform(plan.node, shot.overrides)
                    result = _run_on([transform], img, seed + counter, f"{plan.node.name} ({effect})", inputs)
                    write_png(pictures / f"{item_id}.png", _picture(img, result))
                    pinned = _pinned_text(shot.overrides)
                    items.append(
                        {
                            "id": item_id,
                            "kind": "effect",
                            "transform": plan.node.name,
                            "location": plan.node.location,
                            "effect": effect,
                            "magnitude": round(shot.magnitude, 6),
                            "unit": RULES_BY_NAME[effect].unit.strip(),
                            "fraction": shot.fraction,
                            "image": f"images/{item_id}.png",
                            "original": originals[k],
                            "source": img.name,
                            "parameters": (f"{pinned}; " if pinned else "")
                            + "applied: "
                            + applied_text(result["applied_transforms"]),
                            "label": f"{effect} {_magnitude_text(effect, shot.magnitude)}"
                            + f" ({shot.fraction:.0%} of the bound)",
                        }
                    )
                    cells.append(item_id)
                rows.append({"original": originals[k], "source": img.name, "cells": cells})
            sections.append(
                {
                    "title": f"{plan.node.name} — {effect}",
                    "location": plan.node.location,
                    "effect": effect,
                    "rows": rows,
                }
            )
    draws = []
    for k, img in enumerate(inputs):
        for _ in range(samples):
            counter += 1
            item_id = f"d{counter:04d}"
            draw_seed = rng.randrange(2**31)
            result = _run_on(_transforms_of(live), img, draw_seed, "the pipeline", inputs)
            write_png(pictures / f"{item_id}.png", _picture(img, result))
            items.append(
                {
                    "id": item_id,
                    "kind": "draw",
                    "transform": "pipeline",
                    "location": None,
                    "effect": None,
                    "magnitude": None,
                    "unit": None,
                    "fraction": None,
                    "image": f"images/{item_id}.png",
                    "original": originals[k],
                    "source": img.name,
                    "parameters": f"seed {draw_seed}; applied: " + applied_text(result["applied_transforms"]),
                    "label": "random draw of the whole pipeline",
                }
            )
            draws.append(item_id)

    header: dict[str, Any] = {
        "format": FORMAT,
        "policy": ref,
        "policy_params": policy_params,
        "pipeline": pipeline_ref,
        "reviewer": None,
        "reviewed": None,
        "created": _dt.date.today().isoformat(),
        "blind": blind,
        "key": None,
    }
    key_file = None
    if blind:
        items, key_file = _blind(items, originals, inputs, out, rng, header)
    review_file = out / "review.yaml"
    public = [_public(item, blind) for item in items]
    review_file.write_text(dump_review(header, public), encoding="utf-8")
    findings = [f"{f.code} {f.severity}: {f.message}" for f in report.findings]
    from safeaug.review.page import render

    page = out / "index.html"
    page.write_text(
        render(
            header=header,
            items=items,
            public=public,
            sections=[] if blind else sections,
            draws=[] if blind else draws,
            random_only=[] if blind else random_only,
            findings=findings,
            title=f"{loaded.title}: expert review",
        ),
        encoding="utf-8",
    )
    return Review(out, page, review_file, key_file, items, random_only)


def _confirmed(plan: TransformPlan, inputs: list[ReviewImage], seed: int) -> list[Shot]:
    """The plan's shots, less fixed effects that turn out to differ from run to run (moved to random-only)."""
    kept = []
    for planned in plan.shots:
        shot = planned
        for overrides in (planned.overrides, *planned.alternatives):
            shot = dataclasses.replace(planned, overrides=overrides)
            try:
                _shot_transform(plan.node, overrides)
                break
            except Exception:
                continue
        try:
            transform = _shot_transform(plan.node, shot.overrides)
            first = _run([transform], inputs[0], seed, inputs)
        except Exception as exc:  # the transform refuses every way of pinning it: fail closed, say so
            plan.random_only.setdefault(
                shot.effect,
                f"{plan.node.name} refused the pinned arguments {_pinned_text(shot.overrides)} "
                f"({str(exc).splitlines()[0]})",
            )
            continue
        if shot.needs_determinism:
            second = _run([_shot_transform(plan.node, shot.overrides)], inputs[0], seed + 7919, inputs)
            third = _run([_shot_transform(plan.node, shot.overrides)], inputs[0], seed + 104729, inputs)
            if not all(np.array_equal(first["image"], r["image"]) for r in (second, third)):
                plan.random_only.setdefault(
                    shot.effect, f"{plan.node.name} draws it at random and no argument fixes it"
                )
                continue
        kept.append(shot)
    return kept


_PUBLIC = (
    "id",
    "transform",
    "location",
    "effect",
    "magnitude",
    "unit",
    "fraction",
    "image",
    "original",
    "source",
    "parameters",
)
_BLIND_PUBLIC = ("id", "transform", "effect", "magnitude", "image")


def _public(item: Mapping[str, Any], blind: bool) -> dict[str, Any]:
    """The item as review.yaml holds it (a blinded item hides everything but its id and picture)."""
    out = {
        k: (item.get(k) if not blind or k in ("id", "image") else None) for k in (_BLIND_PUBLIC if blind else _PUBLIC)
    }
    out.update({"decision": None, "realism": None, "note": None})
    return out


def _blind(
    items: list[dict[str, Any]],
    originals: list[str],
    inputs: list[ReviewImage],
    out: Path,
    rng: random.Random,
    header: dict[str, Any],
) -> tuple[list[dict[str, Any]], Path]:
    """Shuffle originals and augmented images under new names; write the key outside ``out``."""
    pool = list(items)
    for k, path in enumerate(originals):
        pool.append(
            {
                "id": f"o{k + 1:04d}",
                "kind": "original",
                "transform": None,
                "location": None,
                "effect": None,
                "magnitude": None,
                "unit": None,
                "fraction": None,
                "image": path,
                "original": path,
                "source": inputs[k].name,
                "parameters": "the original",
                "label": "original",
            }
        )
    rng.shuffle(pool)
    codes = rng.sample(range(10000, 100000), len(pool))
    blinded, key_items = [], []
    pictures = out / "images"
    for code, item in zip(codes, pool, strict=True):
        new_id = f"b{code}"
        source, target = out / item["image"], pictures / f"{new_id}.png"
        target.write_bytes(source.read_bytes())
        blinded.append({**item, "id": new_id, "image": f"images/{new_id}.png", "label": "", "parameters": ""})
        hidden = {k: v for k, v in item.items() if k not in ("id", "label", "image")}
        key_items.append({"id": new_id, "image": f"images/{new_id}.png", **hidden, "unblinded_id": item["id"]})
    for item in pool:
        (out / item["image"]).unlink(missing_ok=True)
    key_file = out.parent / f"{out.name}.key.yaml"
    key_text = dump_review({"format": FORMAT + "-key", "review": str(out / "review.yaml")}, key_items)
    key_file.write_text(key_text, encoding="utf-8")
    header["key"] = {"file": key_file.name, "sha256": hashlib.sha256(key_text.encode("utf-8")).hexdigest()}
    return blinded, key_file
