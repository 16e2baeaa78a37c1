from __future__ import annotations

import safeaug


def test_every_public_name_is_exported_and_documented() -> None:
    for name in safeaug.__all__:
        obj = getattr(safeaug, name)
        assert obj.__doc__ and obj.__doc__.strip(), f"safeaug.{name} has no docstring"


def test_nothing_public_is_missing_from_all() -> None:
    public = {n for n in vars(safeaug) if not n.startswith("_")} - {"annotations", "TYPE_CHECKING", "Any"}
    modules = {n for n in public if type(getattr(safeaug, n)).__name__ == "module"}
    assert public - modules - {"Compose"} <= set(safeaug.__all__)


def test_importing_safeaug_does_not_import_albumentations() -> None:
    import subprocess
    import sys

    code = (
        "import sys, safeaug\n"
        "safeaug.validate({'transform': {'__class_fullname__': 'Compose', 'transforms': []}}, 'natural')\n"
        "print('albumentations' in sys.modules, 'cv2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_errors_share_a_base() -> None:
    for err in (safeaug.PolicyError, safeaug.ConfigError, safeaug.PolicyViolationError):
        assert issubclass(err, safeaug.SafeaugError)
    assert issubclass(safeaug.PolicyViolationError, ValueError)


def test_probe_and_wrap_load_on_demand() -> None:
    import subprocess
    import sys

    code = (
        "import sys, safeaug\n"
        "print('numpy' in sys.modules, 'albumentations' in sys.modules)\n"
        "from safeaug import probe, wrap\n"
        "from safeaug.probing import probe as p, wrap as w\n"
        "print(probe is p, wrap is w, callable(safeaug.probe), callable(safeaug.wrap))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True", "True", "True", "True"]


def test_a_refusal_survives_a_worker_process() -> None:
    # multiprocessing pickles the error with its report; a PyTorch DataLoader rebuilds it from the message.
    import pickle

    report = safeaug.validate({"transform": {"__class_fullname__": "HorizontalFlip"}}, "chest_xray")
    error = safeaug.PolicyViolationError(report)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is safeaug.PolicyViolationError
    assert again.report == report and str(again) == str(error)
    rebuilt = safeaug.PolicyViolationError(str(error))
    assert str(rebuilt) == str(error) and "SA101" in str(rebuilt) and rebuilt.report.findings == ()
