# expect:
import albumentations as A
import cv2

LIMIT = 10
IMAGENET_MEAN = (0.485, 0.456, 0.406)

train_transform = A.Compose(
    [
        A.Rotate(limit=LIMIT, border_mode=cv2.BORDER_CONSTANT, p=0.5),
        A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1),
        A.Normalize(mean=IMAGENET_MEAN),
    ],
    bbox_params=A.BboxParams(format="pascal_voc"),
)
val_transform = A.Compose([A.Resize(512, 512), A.Normalize(mean=IMAGENET_MEAN)])
