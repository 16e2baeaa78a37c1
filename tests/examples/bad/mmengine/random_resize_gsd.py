# expect: SA103@10, SA401@11
# policy: remote_sensing
# An mmseg-style config for aerial scenes: RandomResize with ratio_range=(0.5, 2.0) draws a scale anywhere
# in a four-fold range, far beyond the spread of real ground sampling distances that remote_sensing allows;
# RandomCrop (its crop_size is (h, w) in mmseg and (w, h) in mmdet, and the config does not say whose) is
# refused as unread.
crop_size = (512, 512)
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="RandomResize", scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type="RandomCrop", crop_size=crop_size, cat_max_ratio=0.75),
    dict(type="RandomFlip", prob=0.5),
    dict(type="PackSegInputs"),
]
