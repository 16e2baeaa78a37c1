"""A torchvision pipeline checked by safeaug before training, then used in a small training loop.

The images are generated (a bright blob on the patient's left of a dark frame stands in for the heart of a
chest radiograph), so the example runs anywhere torch and torchvision do:

    python examples/torchvision/train_loop.py

1. ``safeaug.validate`` reads the torchvision pipeline and judges it against ``chest_xray``: the first draft
   flips left and right, turns by up to 30 degrees and pads by reflection, and is refused with the reasons;
2. the fixed pipeline (a 5 degree turn, mild brightness and contrast) passes ``safeaug.check``;
3. ``safeaug.wrap`` checks it once more (any part safeaug has no entry for would be run on tensors and
   judged by what it did) and returns it unchanged in behaviour, and a tiny model trains on it for a few steps.
"""

from __future__ import annotations

import torch
import torchvision.transforms.v2 as T
from torch import nn
from torch.utils.data import DataLoader, Dataset

import safeaug

torch.set_num_threads(1)
SIZE = 64


class Films(Dataset[tuple[torch.Tensor, int]]):
    """Generated one-channel 64x64 "films": label 1 when the bright blob sits on the image's right half."""

    def __init__(self, n: int, transform: T.Transform) -> None:
        g = torch.Generator().manual_seed(0)
        self.labels = torch.randint(0, 2, (n,), generator=g)
        self.transform = transform
        yy, xx = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
        self.grid = (yy.float(), xx.float())

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        label = int(self.labels[i])
        cx = SIZE * (0.7 if label else 0.3)
        yy, xx = self.grid
        blob = torch.exp(-((xx - cx) ** 2 + (yy - SIZE / 2) ** 2) / 60.0)
        image = (40 + 200 * blob).to(torch.uint8)[None]  # 1 x H x W, uint8
        return self.transform(image), label


draft = T.Compose(
    [
        T.RandomHorizontalFlip(),
        T.RandomApply([T.RandomRotation(30)], p=0.5),
        T.Pad(4, padding_mode="reflect"),
        T.CenterCrop(SIZE),
        T.ToDtype(torch.float32, scale=True),
    ]
)
report = safeaug.validate(draft, "chest_xray")
print(f"draft pipeline: {len(report.findings)} findings, ok={report.ok}")
for finding in report.findings:
    print(f"  {finding.code} {finding.location or 'root'}: {finding.message}")
    if finding.reason:
        print(f"    why: {finding.reason}")

fixed = T.Compose(
    [
        T.RandomApply([T.RandomRotation(5)], p=0.5),
        T.RandomApply([T.ColorJitter(brightness=0.05, contrast=0.05)], p=0.5),
        T.ToDtype(torch.float32, scale=True),
    ]
)
safeaug.check(fixed, "chest_xray")
transform = safeaug.wrap(fixed, "chest_xray", seeds=4)
print(f"fixed pipeline accepted by 'chest_xray' ({len(transform.report.findings)} findings)")

loader = DataLoader(Films(64, transform), batch_size=16, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 2))
optimiser = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(3):
    total = 0.0
    for images, labels in loader:
        loss = nn.functional.cross_entropy(model(images), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        total += loss.item() * len(labels)
    print(f"epoch {epoch}: batch shape {tuple(images.shape)}, loss {total / len(loader.dataset):.3f}")  # type: ignore[arg-type]
