"""timm's RandAugment notation (``rand-m9-n2-mstd0.5``) read onto a policy's bounds.

timm's magnitude counts tenths of its range (``_LEVEL_DENOM = 10``): ``m9`` is 90% of the range, a 27°
turn in timm's own op space. Here ``m9`` is 90% of the *policy's* bound for each op's effect (shared
across the ``n`` draws), so a 15° policy turns at most 15° whatever ``m`` says.

Keys: ``m`` magnitude (0-10, default 10 as in timm), ``n`` ops per image (default 2), ``mstd`` and ``mmax``
(magnitude noise and its cap: read, and ``mmax`` caps ``m``; every op here already draws its argument in
its range up to the magnitude), ``inc`` (timm's "increasing" ops: every op here grows with its magnitude,
so ``inc0`` and ``inc1`` read the same). timm's ``p`` (per-op probability) and ``t`` (op-set) keys have no
counterpart here and are refused, as is any other key.
"""

from __future__ import annotations

import re
from typing import Any

from safeaug.errors import ConfigError
from safeaug.policies import PolicyLike

_LEVEL_DENOM = 10
_KEY = re.compile(r"^(mstd|mmax|inc|m|n)(-?[0-9.]+)$")


def parse(config: str) -> dict[str, float]:
    """The keys of a ``rand-...`` string, as numbers; a :class:`~safeaug.ConfigError` for anything else."""
    if not isinstance(config, str):
        raise ConfigError(f"expected a timm RandAugment string such as 'rand-m9-n2-mstd0.5', got {config!r}")
    parts = config.strip().split("-")
    if parts[0] != "rand":
        raise ConfigError(
            f"{config!r}: expected a timm RandAugment string starting with 'rand' (such as 'rand-m9-n2-mstd0.5'); "
            "'augmix' and AutoAugment strings have no counterpart in safeaug.auto"
        )
    found: dict[str, float] = {}
    for part in parts[1:]:
        if not part:
            continue
        match = _KEY.match(part)
        if match is None:
            raise ConfigError(
                f"{config!r}: cannot read {part!r}; keys read: m<magnitude 0-10>, n<ops per image>, mstd<noise>, "
                "mmax<cap>, inc<0|1> (timm's p and t keys have no counterpart here)"
            )
        key, value = match.groups()
        try:
            found[key] = float(value)
        except ValueError:
            raise ConfigError(f"{config!r}: {part!r} is not a number after {key!r}") from None
    return found


def from_string(config: str, policy: PolicyLike, **kwargs: Any) -> Any:
    """A :class:`safeaug.auto.RandAugment` for timm's ``config`` string inside ``policy``.

    >>> from safeaug import auto  # doctest: +SKIP
    >>> auto.from_string("rand-m9-n2-mstd0.5", "ocr")  # doctest: +SKIP
    """
    from safeaug.auto.transforms import RandAugment

    keys = parse(config)
    n = keys.get("n", 2.0)
    if n != int(n) or n < 1:
        raise ConfigError(f"{config!r}: n must be a whole number >= 1, got {n:g}")
    mmax = keys.get("mmax", float(_LEVEL_DENOM))
    m = keys.get("m", float(_LEVEL_DENOM))
    if m < 0 or mmax < 0:
        raise ConfigError(f"{config!r}: m and mmax must be >= 0")
    if keys.get("mstd", 0.0) < 0:
        raise ConfigError(f"{config!r}: mstd must be >= 0")
    m = min(m, mmax, float(_LEVEL_DENOM))
    return RandAugment(policy, n=int(n), m=m, num_magnitude_bins=_LEVEL_DENOM + 1, **kwargs)
