"""Live torchvision pipelines: validate() and check() read them, wrap() runs them on tensors."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")
import torchvision.transforms as T  # noqa: E402
import torchvision.transforms.v2 as v2  # noqa: E402

import safeaug  # noqa: E402
from safeaug.readers import read_pipeline  # noqa: E402

torch.set_num_threads(1)
V2 = "torchvision.transforms.v2"


def _codes(report: safeaug.Report) -> list[tuple[str, str | None, str]]:
    return sorted((f.code, f.transform, f.location) for f in report.findings)


def test_live_compositions_read_as_torchvision_runs_them() -> None:
    pipe = v2.Compose(
        [
            v2.RandomHorizontalFlip(p=0.0),  # never runs
            v2.RandomApply([v2.RandomRotation(30)], p=0.3),
            v2.RandomChoice([T.RandomVerticalFlip(), T.RandomRotation(5)], p=[0, 1]),  # the flip is never drawn
            T.RandomOrder([T.RandomRotation(5), T.RandomRotation(5)]),
        ]
    )
    root = read_pipeline(pipe)
    assert [c.name for c in root.children] == [
        f"{V2}.RandomHorizontalFlip",
        f"{V2}.RandomApply",
        f"{V2}.RandomChoice",
        "torchvision.transforms.RandomOrder",
    ]
    assert root.children[1].p == 0.3 and root.children[1].children[0].params["degrees"] == (-30.0, 30.0)
    assert [c.location for c in root.children[2].children] == ["transforms[2].transforms[1]"]
    report = safeaug.validate(pipe, "chest_xray")
    assert _codes(report) == [("SA102", f"{V2}.RandomRotation", "transforms[1].transforms[0]")]
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.check(pipe, "chest_xray")
    safeaug.check(v2.Compose([v2.RandomRotation(5), T.RandomHorizontalFlip(p=0)]), "chest_xray")


def test_state_changed_after_construction_is_what_is_judged() -> None:
    turn = v2.RandomRotation(5)
    turn.degrees = [-90.0, 90.0]  # what runs
    assert _codes(safeaug.validate(turn, "chest_xray")) == [("SA102", f"{V2}.RandomRotation", "")]


@pytest.mark.parametrize("how", ["method", "hook"])
def test_a_changed_forward_fails_closed(how: str) -> None:
    turn = v2.RandomRotation(5)
    if how == "method":
        turn.forward = lambda x: x.flip(-1)
    else:
        turn.register_forward_hook(lambda _m, _i, out: out.flip(-1))
    [finding] = safeaug.validate(turn, "chest_xray").findings
    assert finding.code == "SA401" and ("forward" in finding.message)


class _Mirror(v2.Transform):
    """A user's tensor transform: mirrors C x H x W tensors."""

    def forward(self, x: Any) -> Any:
        return x.flip(-1)


class _Same(v2.Transform):
    def forward(self, x: Any) -> Any:
        return x


def test_a_subclass_of_a_torchvision_class_is_not_its_base() -> None:
    class Turn(v2.RandomRotation):
        def forward(self, *inputs: Any) -> Any:
            return inputs[0].flip(-1)

    [finding] = safeaug.validate(Turn(5), "chest_xray").findings
    assert finding.code == "SA401"


def test_wrap_probes_tensor_callables_through_the_adapter() -> None:
    with pytest.raises(safeaug.PolicyViolationError) as refused:
        safeaug.wrap(v2.Compose([_Mirror(), v2.RandomRotation(5)]), "chest_xray", seeds=2)
    codes = {f.code for f in refused.value.report.findings}
    assert "SA101" in codes  # the mirror was seen on the probe's tensors
    wrapped = safeaug.wrap(v2.Compose([_Same(), v2.RandomRotation(5)]), "chest_xray", seeds=2)
    assert {f.code for f in wrapped.report.findings} == {"SA408"}  # described by probing, admitted
    image = torch.zeros(3, 16, 16, dtype=torch.uint8)
    assert wrapped(image).shape == (3, 16, 16)


def test_children_kept_in_a_module_list_are_read() -> None:
    """torch keeps an nn.ModuleList assigned to ``transforms`` in ``_modules``, not in the object's dict."""
    held = v2.RandomApply(torch.nn.ModuleList([v2.RandomHorizontalFlip()]), p=0.5)
    assert _codes(safeaug.validate(held, "ct")) == [("SA101", f"{V2}.RandomHorizontalFlip", "transforms[0]")]


def test_a_probability_kept_as_a_tensor_is_read_as_its_value() -> None:
    """torchvision compares ``torch.rand(1) >= p``: a one-element tensor works as p, and is read as its value."""
    flip = v2.RandomHorizontalFlip(p=0.5)
    flip.p = torch.tensor(0.0)
    assert read_pipeline(flip).p == 0.0 and safeaug.validate(flip, "ct").ok
    flip.p = torch.tensor(1.0)
    assert not safeaug.validate(flip, "ct").ok
