# policy: chest_xray
# expect: SA101@19, SA103@19, SA108@19, SA113@19, SA102@23, SA201@23, SA202@23, SA203@23, SA204@23, SA207@23, SA208@23, SA211@23, SA403@24
# A chest X-ray classifier trained with timm's data helpers. The training transform is built with
# create_transform: its ImageNet defaults stand for everything not written (hflip 0.5 mirrors half the films;
# scale [0.08, 1.0] crops as little as 8% of a film and zooms it up to four-fold), AutoAugment's `originalr`
# policy turns films by up to 27°, inverts and solarises them and posterises them to a single bit, and random
# erasing hides up to a third of a film. The evaluation transform (is_training left out) only resizes and
# crops, and is not read.
import timm
import torch
from timm.data import create_transform, resolve_data_config

model = timm.create_model("densenet121", pretrained=True, num_classes=14)
data_config = resolve_data_config({}, model=model)
eval_transform = create_transform(**data_config)


def train_transform() -> torch.nn.Module:
    return create_transform(
        320,
        is_training=True,
        color_jitter=0.0,
        auto_augment="originalr",
        re_prob=0.25,
    )
