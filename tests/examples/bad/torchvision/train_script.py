# A training script's torchvision pipeline: read from the source, never imported. A vertical flip is a
# mirror and a half turn.
# expect: SA102@14, SA101@15, SA102@15
import torchvision.transforms as T
from torch.utils.data import DataLoader

MEAN, STD = (0.5,), (0.25,)


def loaders(root):
    train = T.Compose(
        [
            T.Resize(256),
            T.RandomRotation(25),
            T.RandomVerticalFlip(p=0.1),
            T.ToTensor(),
            T.Normalize(MEAN, STD),
        ]
    )
    return DataLoader(root, batch_size=8), train
