# expect: SA101@14, SA103@12, SA109@13, SA204@15, SA206@15, SA207@15
# An mmseg-style config with no Albu wrapper: mmcv's own steps are still the pipeline the films go through.
# Loading and packing change nothing; a RandomFlip mirrors; Resize(scale_factor=0.5) halves the film (a zoom
# out beyond chest_xray's bound); a reflecting Pad pastes mirrored anatomy into the border (a warning); and
# PhotoMetricDistortion (mmseg's, as PackSegInputs shows: it swaps no channels) changes contrast, hue and
# saturation, none of which a film has. The schedulers and hooks below are lists of `type` mappings too,
# but load or pack nothing: they are not read as pipelines.
crop_size = (512, 512)
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations"),
    dict(type="Resize", scale_factor=0.5),
    dict(type="Pad", size=(1024, 1024), padding_mode="reflect"),
    dict(type="RandomFlip", prob=0.5, direction="horizontal"),
    dict(type="PhotoMetricDistortion"),
    dict(type="PackSegInputs"),
]
param_scheduler = [
    dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type="PolyLR", eta_min=1e-4, power=0.9, begin=500, end=40000, by_epoch=False),
]
custom_hooks = [dict(type="EMAHook", momentum=0.0002), dict(type="SyncNormHook")]
train_dataloader = dict(batch_size=2, dataset=dict(type="BaseSegDataset", pipeline=train_pipeline))
