# expect:
# An mmdet config: the Albu wrapper runs its transforms as an albumentations Compose.
albu_train_transforms = [
    dict(type="ShiftScaleRotate", shift_limit=0.0625, scale_limit=0.0, rotate_limit=5, interpolation=1, p=0.5),
    dict(type="RandomBrightnessContrast", brightness_limit=[0.1, 0.2], contrast_limit=[0.1, 0.2], p=0.2),
]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(
        type="Albu",
        transforms=albu_train_transforms,
        bbox_params=dict(type="BboxParams", format="pascal_voc", label_fields=["gt_labels"]),
        keymap={"img": "image", "gt_bboxes": "bboxes"},
    ),
]
data = dict(train=dict(pipeline=train_pipeline))
