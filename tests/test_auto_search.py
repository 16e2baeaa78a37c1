"""safeaug.auto.search on Optuna: in memory, pruning, and two worker processes sharing one SQLite study."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import albumentations as A
import optuna  # the `search` extra: CI installs safeaug[test,search]
import pytest

import safeaug
from safeaug import auto

optuna.logging.set_verbosity(optuna.logging.WARNING)


def ops_used(pipeline: A.Compose) -> int:
    return len(pipeline.transforms[0].space)


def test_an_in_memory_search_returns_a_pipeline_that_validates() -> None:
    # a proxy objective: prefer few ops and a large magnitude, so the best trial is knowable
    def objective(pipeline: A.Compose) -> float:
        ra = pipeline.transforms[0]
        return ra.magnitude - 0.01 * ops_used(pipeline)

    found = auto.search("ocr", objective, n_trials=12, seed=1)
    assert isinstance(found.best_pipeline, A.Compose)
    assert safeaug.validate(found.best_pipeline, "ocr").findings == ()
    assert len(found.study.trials) == 12
    assert found.best_value == max(t.value for t in found.study.trials)
    assert found.best_value == pytest.approx(objective(found.best_pipeline))
    used = [k.removeprefix("use_") for k, v in found.best_params.items() if k.startswith("use_") and v]
    assert found.best_pipeline.transforms[0].ops == (used or ["Identity"])
    # everything a trial may pick lies inside the policy: no flip can be drawn for ocr
    assert not any(k == "use_HorizontalFlip" for t in found.study.trials for k in t.params)


def test_pruning_goes_through_the_trial() -> None:
    def objective(pipeline: A.Compose, trial: Any) -> float:
        for step in range(5):
            value = pipeline.transforms[0].magnitude * (step + 1)
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    found = auto.search(
        "chest_xray",
        objective,
        n_trials=12,
        seed=0,
        pruner=optuna.pruners.ThresholdPruner(upper=2.0),
    )
    states = {t.state for t in found.study.trials}
    assert optuna.trial.TrialState.PRUNED in states and optuna.trial.TrialState.COMPLETE in states
    assert found.best_value <= 2.0 * 5


def test_the_seed_repeats_the_search() -> None:
    def objective(pipeline: A.Compose) -> float:
        return pipeline.transforms[0].magnitude

    a = auto.search("ocr", objective, n_trials=5, seed=3)
    b = auto.search("ocr", objective, n_trials=5, seed=3)
    assert a.best_params == b.best_params


WORKER = textwrap.dedent(
    """
    import sys
    import optuna
    from safeaug import auto
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(pipeline):
        return pipeline.transforms[0].magnitude

    found = auto.search("ocr", objective, n_trials=4, storage=sys.argv[1], study_name="shared", seed=int(sys.argv[2]))
    print(len(found.study.trials))
    """
)


@pytest.mark.slow  # starts worker processes
def test_two_worker_processes_share_one_sqlite_study(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(storage=storage, study_name="shared", direction="maximize")  # created once, up front
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    workers = [
        subprocess.Popen([sys.executable, str(script), storage, str(seed)], stdout=subprocess.PIPE, text=True)
        for seed in (1, 2)
    ]
    outs = [w.communicate(timeout=300)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs
    study = optuna.load_study(study_name="shared", storage=storage)
    assert len(study.trials) == 8
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    # each worker's result already saw at least its own four trials
    assert all(int(o.split()[-1]) >= 4 for o in outs)
    # and a third run picks the study up where they left it
    found = auto.search("ocr", lambda p: p.transforms[0].magnitude, n_trials=1, storage=storage, study_name="shared")
    assert len(found.study.trials) == 9
    assert safeaug.validate(found.best_pipeline, "ocr").ok


def test_a_missing_optuna_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(safeaug.ConfigError, match=r"pip install 'safeaug\[search\]'"):
        auto.search("ocr", lambda p: 0.0, n_trials=1)
