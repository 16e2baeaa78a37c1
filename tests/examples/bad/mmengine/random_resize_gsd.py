# expect: SA103@10
# policy: remote_sensing
# An mmseg-style config for aerial scenes: RandomResize with ratio_range=(0.5, 2.0) draws a scale anywhere
# in a four-fold range, far beyond the spread of real ground sampling distances that remote_sensing allows.
# RandomCrop is mmseg's (PackSegInputs says so: its crop_size is (h, w)); a tile crop is fine for aerial
# scenes.
crop_size = (512, 512)
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="RandomResize", scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type="RandomCrop", crop_size=crop_size, cat_max_ratio=0.75),
    dict(type="RandomFlip", prob=0.5),
    dict(type="PackSegInputs"),
]
