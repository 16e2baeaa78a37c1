"""The probe itself: run a transform on the probe images with successive seeds and unite what each run did.

Each run feeds five probe images through the transform with the same random draw (one call with extra
image targets for albumentations; five calls with the same seeds for other callables, see ``runners``).
Every run is made first. Runs that come out exactly like an earlier one are read once. The first
``_FIRST_READS`` distinct runs are read in full; then, while any run's cheap signature (``measure._signatures``,
all runs summarised in one pass: the keypoint map's readings, the tone map through the ramp's blocks, the
ramp's distinct levels, the flat grey's statistics, the patches' hues and chromas, the dots' height) lies
outside the range of the runs read in full, the one furthest outside is read too. A run left unread lies
within their range: its readings are taken to lie within theirs (``docs/probe.md``, "Runs read in full").
The union of the runs' envelopes is the measurement, and what no run read could see is listed as unmeasured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safeaug.effects import IDENTITY, Envelope
from safeaug.probing.images import Array, FloatArray, _Images, _probe_images
from safeaug.probing.inputs import _SHARED_RUNS, _finish_variants, _read_with_variants, _variant_runs
from safeaug.probing.measure import _GEOMETRY_FIELDS, _Box, _check_outputs, _run_keys, _signatures
from safeaug.probing.runners import ProbeError, _name, kept_generators, repeats, runner_for, state_moved

# Envelope fields no single probe can observe, whatever the transform.
ALWAYS_UNMEASURED: tuple[str, ...] = (
    "mixing",  # needs other images in the batch
    "topology",  # a tile shuffle reads as a non-rigid warp of keypoints, not as a shuffle
    "overlay",  # rain, text and flares read as noise, occlusion or brightness, not as "drawn"
    "equalization",  # the ramp's histogram is flat: equalising it changes nothing
    "compression",  # JPEG artefacts read as noise and blur
    "resolution",  # detail loss is reported as blur (Gaussian-equivalent sigma), see excess()
    "sharpen",
    "translation_px",  # shifts are measured as fractions of the side
    "crop_unbounded",
    "canvas_growth",  # read through the occlusion that follows it
    "occlusion_unbounded",
    "destroys",  # read as what it does: the flat image's contrast, brightness and occlusion
    "resize",  # a change of output size is read as scale and crop; "to a fixed size" needs several input sizes
)


@dataclass(frozen=True)
class Measurement:
    """What a transform was seen to do on probe images.

    ``envelope`` is in the catalog's units (the union over all runs read); ``samples`` is the number of runs;
    ``unmeasured`` names the envelope fields this probe could not observe for this transform; ``notes``
    explains anything unusual (landmarks lost, a target the transform did not handle).
    """

    envelope: Envelope
    samples: int
    unmeasured: tuple[str, ...]
    transform: str = ""
    notes: tuple[str, ...] = ()
    # The inputs it was run on, in words ("64x64 RGB uint8 (16 runs)", "96x64 portrait RGB uint8 (2 runs)").
    inputs: tuple[str, ...] = ()


# Runs always read in full; after them, the runs whose signatures leave the range of theirs, furthest first.
_FIRST_READS = 8


def probe(transform: Any, *, seeds: int = 16, size: int = 64, seed: int = 0) -> Measurement:
    """Run ``transform`` ``seeds`` times on small probe images and measure what it did.

    ``transform`` is an albumentations transform or composition (probed as a copy with ``p=1``; inside a
    composition, branches with ``p=0`` stay off), a callable taking ``image=`` and returning a dict
    (albumentations style), or a plain function ``f(image) -> image``. Runs are seeded (``seed``,
    ``seed + 1``, ...), so a probe is deterministic. Raises :class:`ProbeError` when the transform cannot
    run on a plain RGB uint8 image.
    """
    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    if size < 48:
        raise ValueError("size must be at least 48 pixels (the probe images need room for their landmarks)")
    with kept_generators():  # (the runs seed the global generators; the caller's draws go on as before)
        return _probe(transform, seeds, size, seed)


def _probe(transform: Any, seeds: int, size: int, seed: int) -> Measurement:
    images = _probe_images(size)
    runner = runner_for(transform)
    name = _name(transform)
    runs: list[tuple[dict[str, Array], FloatArray | None, bool]] = []
    for i in range(seeds):
        try:
            runs.append(runner(images, seed + i))
        except ProbeError:
            raise
        except Exception as exc:  # the transform's own failure: say which and why
            raise ProbeError(
                f"{name} failed on a {size}x{size} RGB uint8 probe image: {type(exc).__name__}: {exc}. "
                "The probe feeds images (and keypoints, for albumentations) only; a transform that needs masks "
                "or boxes cannot be probed."
            ) from exc
    for out, _, _ in runs:  # (an output that cannot be read is told before anything else)
        _check_outputs(out)
    if not repeats(runner, images, seed, runs[0]):
        raise ProbeError(
            f"{name} gave two different outputs for the same seed ({seed}) on a {size}x{size} RGB uint8 probe "
            "image: what it does is not set by its input and its random draw (it returns memory it never wrote, "
            "draws from a source the probe does not seed, or keeps state between calls), so no probe can measure "
            "it reproducibly. Draw from `random`, `np.random` or torch's global generator (the probe seeds them "
            "before every run), or from albumentations' own generators, and write every pixel of the output."
        )
    moved = state_moved(runner, transform, images, seed)
    if moved:
        raise ProbeError(
            f"{name} keeps state between calls: {', '.join(f'`{k}`' for k in moved)} changed between two runs with "
            "the same seed and inputs, one right after the other. What it does may change with the number of calls "
            "made before (a schedule, a counter), and a probe sees only the calls it makes. Keep the state out of "
            "the callable (draw from `random` or `np.random`, which the probe seeds), or describe it with "
            "safeaug.register_transform."
        )
    firsts = [(out, kps) for out, kps, _ in runs[:_SHARED_RUNS]]  # the first runs, for the other inputs
    # A run that came out exactly like an earlier one measures the same: each distinct run once.
    keys = _run_keys(runs)
    distinct = list(dict.fromkeys(keys))
    first_of = {key: keys.index(key) for key in distinct}
    chosen = _runs_to_read([runs[first_of[key]] for key in distinct], images)
    to_read = [runs[first_of[distinct[j]]] for j in chosen]
    # The runs on grey, one-channel, 16-bit, float, RGBA and CT inputs are made now, and read with the square runs.
    pending = _variant_runs(runner, images, seed, firsts)
    read, variant_found = _read_with_variants(to_read, pending, images)
    seen = {distinct[j]: reading for j, reading in zip(chosen, read, strict=True)}
    env: Envelope | None = None
    lost_geometry = 0
    counted = 0  # runs read (or the same as one read); the others lay within their range
    missed: set[str] | None = None  # fields no run could read
    blind: set[str] = set()  # geometry fields some run could not read
    for key in keys:
        if key not in seen:
            continue  # within the range of the runs read: it reads within theirs
        run_env, missing, found = seen[key]
        lost_geometry += not found
        if not found:
            blind |= missing & _GEOMETRY_FIELDS
        counted += 1
        missed = set(missing) if missed is None else missed & missing
        env = run_env if env is None else env.union(run_env)
    notes: list[str] = []
    if lost_geometry:
        notes.append(
            f"no geometry could be fitted in {lost_geometry} of {counted} runs{' read' * (counted < seeds)} "
            "(landmarks not found); pixels were compared in place there, and a mirror or a turn there is not seen: "
            f"{', '.join(sorted(blind))} count as unmeasured"
        )
    env = IDENTITY if env is None else env  # (the first run is always read)
    skipped = f", {counted} read in full" if counted < seeds else ""
    inputs = [f"{size}x{size} RGB uint8 ({seeds} runs{skipped})"]
    env, unseen = _finish_variants(transform, runner, images, seed, env, inputs, notes, pending, variant_found)
    unmeasured = set(ALWAYS_UNMEASURED) | (missed or set()) | blind | unseen
    return Measurement(env, seeds, tuple(sorted(unmeasured)), name, tuple(notes), tuple(inputs))


def _runs_to_read(runs: list[tuple[dict[str, Array], FloatArray | None, bool]], images: _Images) -> list[int]:
    """Which of the distinct ``runs`` to read in full (see :func:`_choose`)."""
    if len(runs) <= _FIRST_READS:
        return list(range(len(runs)))
    return _choose(_signatures(runs, images))


def _choose(signatures: list[tuple[tuple[Any, ...], FloatArray, FloatArray] | None]) -> list[int]:
    """The runs to read in full, by their signatures: the first ``_FIRST_READS``, then, while any run's signature
    lies outside the range of those chosen (widened by its margins), the one that lies furthest outside it.

    Every run left out lies within the range of the runs chosen, whatever the order of the draws: a rare draw
    that turns further, mirrors or inverts leaves the range and is read. A run without a signature (not
    comparable) is always chosen.
    """
    chosen = list(range(min(_FIRST_READS, len(signatures))))
    read = _Box()
    for j in chosen:
        read.add(signatures[j])
    rest = [j for j in range(len(signatures)) if j not in chosen]
    while rest:
        far, j = max((read.outside(signatures[j]), j) for j in rest)
        if far <= 0.0:
            break  # every run left lies within the range of those read
        chosen.append(j)
        read.add(signatures[j])
        rest.remove(j)
    return sorted(chosen)
