# A registry-style config (mmpretrain / mmengine spelling) naming torchvision classes by `type`: the flip and the
# 30 degree turn are refused for chest films.
# expect: SA101@6, SA102@7
train_pipeline = [
    dict(type="torchvision.transforms.v2.Grayscale", num_output_channels=1),
    dict(type="torchvision.transforms.v2.RandomHorizontalFlip", p=0.5),
    dict(type="torchvision.transforms.v2.RandomRotation", degrees=30),
]
