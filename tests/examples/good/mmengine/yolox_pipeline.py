# policy: natural
# expect: SA407@10
# A YOLOX-style pipeline for natural images (mmdet 3.x steps): a mosaic (whose cut by the random centre
# keeps a share that depends on the input size: a warning), a mild RandomAffine with no turn or shear (its
# zoom about the top-left corner then shifts the centre by at most half the zoom's change), MixUp with its
# mirrored blend, YOLOX's HSV jitter and a flip. After the fit into the 640 x 640 box, the pad to a square
# pads the shorter side to 640 at the bottom or right: the box itself, a fixed canvas.
img_scale = (640, 640)
train_pipeline = [
    dict(type="Mosaic", img_scale=img_scale, pad_val=114.0),
    dict(
        type="RandomAffine",
        max_rotate_degree=0.0,
        max_shear_degree=0.0,
        scaling_ratio_range=(0.8, 1.2),
    ),
    dict(type="MixUp", img_scale=img_scale, ratio_range=(0.8, 1.6), pad_val=114.0),
    dict(type="YOLOXHSVRandomAug"),
    dict(type="RandomFlip", prob=0.5),
    dict(type="Resize", scale=img_scale, keep_ratio=True),
    dict(type="Pad", pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type="FilterAnnotations", min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type="PackDetInputs"),
]
test_pipeline = [
    dict(type="LoadImageFromFile", backend_args=None),
    dict(type="Resize", scale=img_scale, keep_ratio=True),
    dict(type="Pad", pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(type="PackDetInputs", meta_keys=("img_id", "img_path", "ori_shape", "img_shape", "scale_factor")),
]
