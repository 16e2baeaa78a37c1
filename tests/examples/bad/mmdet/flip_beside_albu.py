# expect: SA101@13, SA102@14
# mmdet's own steps run on the same images as the Albu wrapper: its RandomFlip mirrors (mmcv 2.x `prob`,
# mmdet 2.x `flip_ratio`; "diagonal" reverses both axes, a half turn), a Resize that keeps the aspect loses
# nothing a policy bounds on its own, and loading and packing are not steps that change the image.
albu_train_transforms = [
    dict(type="RandomBrightnessContrast", brightness_limit=0.1, contrast_limit=0.1, p=0.2),
]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(type="Albu", transforms=albu_train_transforms),
    dict(type="Resize", scale=(1333, 800), keep_ratio=True),
    dict(type="RandomFlip", prob=0.5),
    dict(type="mmdet.RandomFlip", flip_ratio=[0.0, 0.3], direction=["horizontal", "diagonal"]),
    dict(type="PackDetInputs"),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
