# policy: traffic_signs
# expect: SA103@11, SA104@11, SA101@16, SA101@18
# A YOLOX-style detection pipeline for traffic signs (mmdet 3.x steps, no Albu wrapper). RandomAffine turns
# and zooms about the top-left corner, so its centre moves far more than `max_translate_ratio`; MixUp flips
# the image it blends in whenever a uniform draw exceeds `flip_ratio` (0.5 here: half the time), so mirrored
# signs reach the model even without the RandomFlip below. The mosaic itself mixes images, which this
# policy leaves to the loss.
img_scale = (640, 640)
train_pipeline = [
    dict(type="Mosaic", img_scale=img_scale, pad_val=114.0),
    dict(
        type="RandomAffine",
        scaling_ratio_range=(0.1, 2),
        border=(-img_scale[0] // 2, -img_scale[1] // 2),
    ),
    dict(type="MixUp", img_scale=img_scale, ratio_range=(0.8, 1.6), pad_val=114.0),
    dict(type="YOLOXHSVRandomAug"),
    dict(type="RandomFlip", prob=0.5),
    dict(type="Resize", scale=img_scale, keep_ratio=True),
    dict(type="FilterAnnotations", min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type="PackDetInputs"),
]
train_dataset = dict(type="MultiImageMixDataset", pipeline=train_pipeline)
