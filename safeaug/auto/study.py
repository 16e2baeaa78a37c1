"""A search over a policy's op space on Optuna (the ``search`` extra).

Each trial picks a subset of the policy's ops, a weight per op, ``n`` and ``m``, builds the
:class:`~safeaug.auto.RandAugment` they describe (inside the policy whatever was picked) and asks the
caller's ``objective(pipeline) -> float`` how good it is (higher is better). An objective that takes a
second argument receives the Optuna trial, so it can ``trial.report(value, step)`` and raise
``optuna.TrialPruned`` when ``trial.should_prune()``.

``storage=None`` keeps the study in memory. An Optuna storage URL shares one study between processes:
``sqlite:///study.db`` or a journal file on one machine, PostgreSQL or MySQL across machines (see
``docs/auto.md``); start each worker with the same ``study_name``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from safeaug.auto.space import ops
from safeaug.errors import ConfigError
from safeaug.policies import PolicyLike, load_policy


@dataclass
class SearchResult:
    """What :func:`search` found: the best pipeline (an ``A.Compose`` that validates), its value, the study."""

    best_pipeline: Any
    best_value: float
    best_params: dict[str, Any]
    study: Any


def _pipeline(policy: Any, choice: Mapping[str, Any], names: list[str], bins: int) -> Any:
    import albumentations as A

    from safeaug.auto.transforms import RandAugment

    picked = [o for o in names if choice.get(f"use_{o}", False)] or ["Identity" if "Identity" in names else names[0]]
    weights = [float(choice.get(f"weight_{o}", 1.0)) for o in picked]
    return A.Compose(
        [
            RandAugment(
                policy, n=int(choice["n"]), m=int(choice["m"]), num_magnitude_bins=bins, ops=picked, weights=weights
            )
        ]
    )


def search(
    policy: PolicyLike,
    objective: Callable[..., float],
    n_trials: int = 20,
    storage: str | Any | None = None,
    study_name: str | None = None,
    seed: int | None = None,
    *,
    n_range: tuple[int, int] = (1, 3),
    num_magnitude_bins: int = 31,
    pruner: Any = None,
    timeout: float | None = None,
    **params: Any,
) -> SearchResult:
    """Search ``n_trials`` RandAugment configurations inside ``policy`` for the best ``objective``.

    ``params`` are the policy's parameters. The returned ``best_pipeline`` is checked against the policy
    with :func:`safeaug.check` before it is returned.
    """
    try:
        import optuna
    except ImportError:
        raise ConfigError("safeaug.auto.search needs Optuna: pip install 'safeaug[search]'") from None
    import safeaug

    loaded = load_policy(policy, **params)
    names = [o.op for o in ops(loaded)]
    if not names:
        raise ConfigError(f"policy `{loaded.id}` admits no op to search over")
    lo, hi = n_range
    if not 1 <= lo <= hi:
        raise ConfigError(f"n_range: expected 1 <= low <= high, got {n_range!r}")
    takes_trial = len(inspect.signature(objective).parameters) >= 2

    def run(trial: Any) -> float:
        choice: dict[str, Any] = {}
        for name in names:
            used = trial.suggest_categorical(f"use_{name}", [True, False])
            choice[f"use_{name}"] = used
            if used:
                choice[f"weight_{name}"] = trial.suggest_float(f"weight_{name}", 0.1, 1.0)
        choice["n"] = trial.suggest_int("n", lo, hi)
        choice["m"] = trial.suggest_int("m", 0, num_magnitude_bins - 1)
        pipeline = _pipeline(loaded, choice, names, num_magnitude_bins)
        value = objective(pipeline, trial) if takes_trial else objective(pipeline)
        return float(value)

    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(
        storage=storage,
        study_name=study_name,
        direction="maximize",
        sampler=sampler,
        pruner=pruner,
        load_if_exists=study_name is not None,
    )
    study.optimize(run, n_trials=n_trials, timeout=timeout)
    best = study.best_trial
    pipeline = _pipeline(loaded, best.params, names, num_magnitude_bins)
    safeaug.check(pipeline, loaded)
    value = best.value
    return SearchResult(pipeline, float(value) if value is not None else float("nan"), dict(best.params), study)
