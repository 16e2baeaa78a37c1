# policy: natural
# expect: SA401@11, SA401@17
# An mmdet-style test pipeline that pads to a square after a fit into a box that is not one (1333 x 800):
# the square's side is then the image's longer side after the fit, which depends on the image, so the pad
# is not read (PadIfNeeded has no such size) and is refused. The second pipeline pads to a square with
# nothing before it that fixes the longer side.
img_scale = (1333, 800)
test_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="Resize", scale=img_scale, keep_ratio=True),
    dict(type="Pad", pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type="PackDetInputs"),
]
raw_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="RandomFlip", prob=0.5),
    dict(type="Pad", pad_to_square=True),
    dict(type="PackDetInputs"),
]
