# expect: SA101@8, SA102@8, SA304@12, SA502@8, SA502@12
albu_train_transforms = [
    dict(type="ShiftScaleRotate", shift_limit=0.0625, scale_limit=0.0, rotate_limit=10, p=0.5),
    dict(
        type="OneOf",
        transforms=[
            dict(type="Blur", blur_limit=3, p=1.0),
            dict(type="Flip", p=1.0),
        ],
        p=0.1,
    ),
    dict(type="JpegCompression", quality_lower=20, quality_upper=95, p=0.2),
]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="mmdet.Albu", transforms=albu_train_transforms),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
