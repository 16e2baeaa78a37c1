# A registry-style config (mmpretrain / mmengine spelling) naming torchvision classes by `type`: a small turn and a
# mild contrast change, both inside chest_xray's bounds.
# expect:
train_pipeline = [
    dict(type="torchvision.transforms.v2.RandomRotation", degrees=5),
    dict(type="torchvision.transforms.v2.ColorJitter", contrast=0.1),
]
