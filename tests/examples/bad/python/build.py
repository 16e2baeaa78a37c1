# expect: SA101@12, SA109@17, SA501@18, SA401@19, SA102@25
import albumentations as alb
import cv2
from albumentations import Compose, HorizontalFlip
from mylib.aug import Smear


def scale() -> float:
    return 0.3


flip = HorizontalFlip(p=0.5)

train_transform = Compose(
    [
        flip,
        alb.Rotate(limit=10, border_mode=cv2.BORDER_REFLECT_101),
        alb.RandomBrightnessContrast(brightness_limit=scale()),
        Smear(),
    ]
)


def val_transform():
    return alb.Compose([alb.Resize(256, 256), alb.ShiftScaleRotate(rotate_limit=30)])
