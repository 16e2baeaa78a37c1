# expect:
# policy: remote_sensing
# An mmrotate-style config for aerial scenes with no Albu wrapper: overhead imagery has no up, so flips in
# every direction keep the labels; a Resize that keeps the aspect and a Pad to a multiple of 32 at the
# bottom right (a constant border) change no ground sampling a policy bounds.
angle_version = "le90"
train_pipeline = [
    dict(type="mmdet.LoadImageFromFile", backend_args=None),
    dict(type="mmdet.LoadAnnotations", with_bbox=True, box_type="qbox"),
    dict(type="mmdet.Resize", scale=(1024, 1024), keep_ratio=True),
    dict(type="mmdet.RandomFlip", prob=0.75, direction=["horizontal", "vertical", "diagonal"]),
    dict(type="mmdet.Pad", size_divisor=32, pad_val=dict(img=0)),
    dict(type="mmdet.PackDetInputs"),
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
