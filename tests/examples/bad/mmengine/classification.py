# expect: SA101@11, SA103@10, SA108@10, SA113@10, SA407@17
# An mmpretrain-style config for chest films: its RandomResizedCrop (mmpretrain's `scale` is the output
# size; `crop_ratio_range` keeps as little as 8% of the film by default) zooms and crops far beyond what
# chest_xray allows, RandomFlip mirrors, and the test pipeline's CenterCrop keeps a share that depends on
# the film's aspect (a warning).
data_preprocessor = dict(num_classes=14, mean=[128.0], std=[64.0])
bgr_mean = data_preprocessor["mean"][::-1]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="RandomResizedCrop", scale=224, backend="pillow"),
    dict(type="RandomFlip", prob=0.5, direction="horizontal"),
    dict(type="PackInputs"),
]
test_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="ResizeEdge", scale=256, edge="short", backend="pillow"),
    dict(type="CenterCrop", crop_size=224),
    dict(type="PackInputs"),
]
