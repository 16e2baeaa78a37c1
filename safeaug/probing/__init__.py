"""The empirical probe: run a transform on small generated images and measure what it does.

>>> import albumentations as A  # doctest: +SKIP
>>> from safeaug import probe  # doctest: +SKIP
>>> probe(A.HorizontalFlip()).envelope.mirror  # doctest: +SKIP
True

:func:`probe` returns a :class:`Measurement` whose ``envelope`` is in the catalog's units, so it can be
compared with a static envelope (:func:`excess`) or judged by a policy like any other envelope. What
one probe cannot see is listed in ``Measurement.unmeasured``; see ``docs/probe.md``.

The package is split by what each part reads:

* ``images``: the probe images (landmarks and keypoints, grey ramp, colour patches, dots, flat grey) and
  their other kinds (grey, one-channel, uint16, float32, non-square frames);
* ``runners``: how a transform or callable is run on them (a table, ``RUNNERS``, one entry per kind);
* ``geometry``: the fitted map from input to output pixels and what it does;
* ``tone``, ``colour``, ``detail``: the intensity map, hue and saturation, blur, noise and holes;
* ``measure``: one run's readings as an envelope; ``inputs``: the runs on other kinds of input;
* ``engine``: :func:`probe`, the runs and their union; ``compare``: :func:`excess` and :func:`widened`.

Checking a dataset transform once, when it is wrapped, is :func:`safeaug.wrap` (``safeaug.wrap``).
"""

from __future__ import annotations

from safeaug.probing.compare import TOLERANCE, excess, widened
from safeaug.probing.engine import ALWAYS_UNMEASURED, Measurement, probe
from safeaug.probing.runners import RUNNERS, ProbeError, Run, Runner

__all__ = [
    "ALWAYS_UNMEASURED",
    "RUNNERS",
    "TOLERANCE",
    "Measurement",
    "ProbeError",
    "Run",
    "Runner",
    "excess",
    "probe",
    "widened",
]
