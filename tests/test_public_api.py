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
        "from safeaug.probing import probe as p\n"
        "from safeaug.wrap import wrap as w\n"
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


def test_all_dir_and_lazy_loading_read_one_table() -> None:
    table = safeaug._PUBLIC
    assert safeaug.__all__ == list(table)
    assert dir(safeaug) == sorted({*table, "__version__"})
    assert {"auto", "review"} <= set(dir(safeaug))
    for name, (module, lazy) in table.items():
        obj = getattr(safeaug, name)
        if lazy and module == f"safeaug.{name}":  # a subpackage
            assert type(obj).__name__ == "module" and obj.__name__ == module
        else:
            assert obj.__module__ == module or obj.__module__.startswith(module + "."), (name, obj.__module__)
        # an eager name is bound at import; a lazy one is reached through __getattr__ only
        assert (name in vars(safeaug)) or lazy, name


def test_subpackages_load_on_first_use_after_import_safeaug_alone() -> None:
    import subprocess
    import sys

    code = (
        "import sys, safeaug\n"
        "print('safeaug.auto' in sys.modules, 'safeaug.review' in sys.modules)\n"
        "print(safeaug.auto.RandAugment.__name__, callable(safeaug.review.build))\n"
        "print('auto' in dir(safeaug), 'review' in dir(safeaug))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "RandAugment", "True", "True", "True"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    import pytest

    for name in ("no_such_name", "probing_helper"):
        with pytest.raises(AttributeError, match=name):
            getattr(safeaug, name)
