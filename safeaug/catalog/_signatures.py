"""How albumentations 2.0.8 transforms are called: bases, parameters, defaults. Generated; do not edit.

Regenerate with ``python scripts/generate_signatures.py > safeaug/catalog/_signatures.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

ALBUMENTATIONS_VERSION = "2.0.8"
REQUIRED = "<required>"  # the parameter has no default: a config must give it
OPAQUE = "<not a plain value>"  # the default is not a plain value (a function): none a config reader can use


class Signature(NamedTuple):
    """How one albumentations class is called."""

    bases: tuple[str, ...]  # the albumentations classes it derives from, nearest first
    positional: int  # how many of the leading parameters may be given by position
    parameters: dict[str, Any]  # every parameter in signature order, with its default


SIGNATURES: dict[str, Signature] = {
    "AdditiveNoise": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "noise_type": "uniform",
            "spatial_mode": "constant",
            "noise_params": None,
            "approximation": 1.0,
            "p": 0.5,
        },
    ),
    "AdvancedBlur": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "blur_limit": (3, 7),
            "sigma_x_limit": (0.2, 1.0),
            "sigma_y_limit": (0.2, 1.0),
            "rotate_limit": (-90, 90),
            "beta_limit": (0.5, 8.0),
            "noise_limit": (0.9, 1.1),
            "p": 0.5,
        },
    ),
    "Affine": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=15,
        parameters={
            "scale": (1.0, 1.0),
            "translate_percent": None,
            "translate_px": None,
            "rotate": 0.0,
            "shear": (0.0, 0.0),
            "interpolation": 1,
            "mask_interpolation": 0,
            "fit_output": False,
            "keep_ratio": False,
            "rotate_method": "largest_box",
            "balanced_scale": False,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "AtLeastOneBBoxRandomCrop": Signature(
        bases=("BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "height": "<required>",
            "width": "<required>",
            "erosion_factor": 0.0,
            "p": 1.0,
        },
    ),
    "AutoContrast": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "cutoff": 0,
            "ignore": None,
            "method": "cdf",
            "p": 0.5,
        },
    ),
    "BBoxSafeRandomCrop": Signature(
        bases=("BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "erosion_rate": 0.0,
            "p": 1.0,
        },
    ),
    "BaseCompose": Signature(
        bases=("Serializable",),
        positional=5,
        parameters={
            "transforms": "<required>",
            "p": "<required>",
            "mask_interpolation": None,
            "seed": None,
            "save_applied_params": False,
        },
    ),
    "BasicTransform": Signature(
        bases=("Serializable",),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "Blur": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "blur_limit": (3, 7),
            "p": 0.5,
        },
    ),
    "CLAHE": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "clip_limit": 4.0,
            "tile_grid_size": (8, 8),
            "p": 0.5,
        },
    ),
    "CenterCrop": Signature(
        bases=("BaseCropAndPad", "BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "height": "<required>",
            "width": "<required>",
            "pad_if_needed": False,
            "pad_position": "center",
            "border_mode": 0,
            "fill": 0.0,
            "fill_mask": 0.0,
            "p": 1.0,
        },
    ),
    "CenterCrop3D": Signature(
        bases=("BaseCropAndPad3D", "Transform3D", "DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "size": "<required>",
            "pad_if_needed": False,
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "ChannelDropout": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "channel_drop_range": (1, 1),
            "fill": 0,
            "p": 0.5,
        },
    ),
    "ChannelShuffle": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "ChromaticAberration": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "primary_distortion_limit": (-0.02, 0.02),
            "secondary_distortion_limit": (-0.05, 0.05),
            "mode": "green_purple",
            "interpolation": 1,
            "p": 0.5,
        },
    ),
    "CoarseDropout": Signature(
        bases=("BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "num_holes_range": (1, 2),
            "hole_height_range": (0.1, 0.2),
            "hole_width_range": (0.1, 0.2),
            "fill": 0,
            "fill_mask": None,
            "p": 0.5,
        },
    ),
    "CoarseDropout3D": Signature(
        bases=("Transform3D", "DualTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "num_holes_range": (1, 1),
            "hole_depth_range": (0.1, 0.2),
            "hole_height_range": (0.1, 0.2),
            "hole_width_range": (0.1, 0.2),
            "fill": 0,
            "fill_mask": None,
            "p": 0.5,
        },
    ),
    "ColorJitter": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "brightness": (0.8, 1.2),
            "contrast": (0.8, 1.2),
            "saturation": (0.8, 1.2),
            "hue": (-0.5, 0.5),
            "p": 0.5,
        },
    ),
    "Compose": Signature(
        bases=("BaseCompose", "Serializable", "HubMixin"),
        positional=10,
        parameters={
            "transforms": "<required>",
            "bbox_params": None,
            "keypoint_params": None,
            "additional_targets": None,
            "p": 1.0,
            "is_check_shapes": True,
            "strict": False,
            "mask_interpolation": None,
            "seed": None,
            "save_applied_params": False,
        },
    ),
    "ConstrainedCoarseDropout": Signature(
        bases=("BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "num_holes_range": (1, 1),
            "hole_height_range": (0.1, 0.1),
            "hole_width_range": (0.1, 0.1),
            "fill": 0,
            "fill_mask": None,
            "p": 0.5,
            "mask_indices": None,
            "bbox_labels": None,
        },
    ),
    "Crop": Signature(
        bases=("BaseCropAndPad", "BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=10,
        parameters={
            "x_min": 0,
            "y_min": 0,
            "x_max": 1024,
            "y_max": 1024,
            "pad_if_needed": False,
            "pad_position": "center",
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "CropAndPad": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=10,
        parameters={
            "px": None,
            "percent": None,
            "keep_size": True,
            "sample_independently": True,
            "interpolation": 1,
            "mask_interpolation": 0,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "CropNonEmptyMaskIfExists": Signature(
        bases=("BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "height": "<required>",
            "width": "<required>",
            "ignore_values": None,
            "ignore_channels": None,
            "p": 1.0,
        },
    ),
    "CubicSymmetry": Signature(
        bases=("Transform3D", "DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 1.0,
        },
    ),
    "D4": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 1,
        },
    ),
    "Defocus": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "radius": (3, 10),
            "alias_blur": (0.1, 0.5),
            "p": 0.5,
        },
    ),
    "Downscale": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "scale_range": (0.25, 0.25),
            "interpolation_pair": {"upscale": 0, "downscale": 0},
            "p": 0.5,
        },
    ),
    "DualTransform": Signature(
        bases=("BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "ElasticTransform": Signature(
        bases=("BaseDistortion", "DualTransform", "BasicTransform", "Serializable"),
        positional=12,
        parameters={
            "alpha": 1,
            "sigma": 50,
            "interpolation": 1,
            "approximate": False,
            "same_dxdy": False,
            "mask_interpolation": 0,
            "noise_distribution": "gaussian",
            "keypoint_remapping_method": "mask",
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "Emboss": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "alpha": (0.2, 0.5),
            "strength": (0.2, 0.7),
            "p": 0.5,
        },
    ),
    "Equalize": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "mode": "cv",
            "by_channels": True,
            "mask": None,
            "mask_params": (),
            "p": 0.5,
        },
    ),
    "Erasing": Signature(
        bases=("BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "scale": (0.02, 0.33),
            "ratio": (0.3, 3.3),
            "fill": 0,
            "fill_mask": None,
            "p": 0.5,
        },
    ),
    "FDA": Signature(
        bases=("BaseDomainAdaptation", "ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "reference_images": None,
            "beta_limit": (0, 0.1),
            "read_fn": "<not a plain value>",
            "metadata_key": "fda_metadata",
            "p": 0.5,
        },
    ),
    "FancyPCA": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "alpha": 0.1,
            "p": 0.5,
        },
    ),
    "FrequencyMasking": Signature(
        bases=("XYMasking", "BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "freq_mask_param": 30,
            "p": 0.5,
        },
    ),
    "FromFloat": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "dtype": "uint8",
            "max_value": None,
            "p": 1.0,
        },
    ),
    "GaussNoise": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "std_range": (0.2, 0.44),
            "mean_range": (0.0, 0.0),
            "per_channel": True,
            "noise_scale_factor": 1,
            "p": 0.5,
        },
    ),
    "GaussianBlur": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "blur_limit": 0,
            "sigma_limit": (0.5, 3.0),
            "p": 0.5,
        },
    ),
    "GlassBlur": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "sigma": 0.7,
            "max_delta": 4,
            "iterations": 2,
            "mode": "fast",
            "p": 0.5,
        },
    ),
    "GridDistortion": Signature(
        bases=("BaseDistortion", "DualTransform", "BasicTransform", "Serializable"),
        positional=10,
        parameters={
            "num_steps": 5,
            "distort_limit": (-0.3, 0.3),
            "interpolation": 1,
            "normalized": True,
            "mask_interpolation": 0,
            "keypoint_remapping_method": "mask",
            "p": 0.5,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
        },
    ),
    "GridDropout": Signature(
        bases=("BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "ratio": 0.5,
            "random_offset": True,
            "unit_size_range": None,
            "holes_number_xy": None,
            "shift_xy": (0, 0),
            "fill": 0,
            "fill_mask": None,
            "p": 0.5,
        },
    ),
    "GridElasticDeform": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "num_grid_xy": "<required>",
            "magnitude": "<required>",
            "interpolation": 1,
            "mask_interpolation": 0,
            "p": 1.0,
        },
    ),
    "HEStain": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "method": "random_preset",
            "preset": None,
            "intensity_scale_range": (0.7, 1.3),
            "intensity_shift_range": (-0.2, 0.2),
            "augment_background": False,
            "p": 0.5,
        },
    ),
    "HistogramMatching": Signature(
        bases=("BaseDomainAdaptation", "ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "reference_images": None,
            "blend_ratio": (0.5, 1.0),
            "read_fn": "<not a plain value>",
            "metadata_key": "hm_metadata",
            "p": 0.5,
        },
    ),
    "HorizontalFlip": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "HueSaturationValue": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "hue_shift_limit": (-20, 20),
            "sat_shift_limit": (-30, 30),
            "val_shift_limit": (-20, 20),
            "p": 0.5,
        },
    ),
    "ISONoise": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "color_shift": (0.01, 0.05),
            "intensity": (0.1, 0.5),
            "p": 0.5,
        },
    ),
    "Illumination": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "mode": "linear",
            "intensity_range": (0.01, 0.2),
            "effect_type": "both",
            "angle_range": (0, 360),
            "center_range": (0.1, 0.9),
            "sigma_range": (0.2, 1.0),
            "p": 0.5,
        },
    ),
    "ImageCompression": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "compression_type": "jpeg",
            "quality_range": (99, 100),
            "p": 0.5,
        },
    ),
    "ImageOnlyTransform": Signature(
        bases=("BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "InvertImg": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "Lambda": Signature(
        bases=("NoOp", "DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "image": None,
            "mask": None,
            "keypoints": None,
            "bboxes": None,
            "name": None,
            "p": 1.0,
        },
    ),
    "LongestMaxSize": Signature(
        bases=("MaxSizeTransform", "DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "max_size": None,
            "max_size_hw": None,
            "interpolation": 1,
            "mask_interpolation": 0,
            "area_for_downscale": None,
            "p": 1,
        },
    ),
    "MaskDropout": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "max_objects": (1, 1),
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "MedianBlur": Signature(
        bases=("Blur", "ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "blur_limit": (3, 7),
            "p": 0.5,
        },
    ),
    "Morphological": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "scale": (2, 3),
            "operation": "dilation",
            "p": 0.5,
        },
    ),
    "Mosaic": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=11,
        parameters={
            "grid_yx": (2, 2),
            "target_size": (512, 512),
            "cell_shape": (512, 512),
            "center_range": (0.3, 0.7),
            "fit_mode": "cover",
            "interpolation": 1,
            "mask_interpolation": 0,
            "fill": 0,
            "fill_mask": 0,
            "metadata_key": "mosaic_metadata",
            "p": 0.5,
        },
    ),
    "MotionBlur": Signature(
        bases=("Blur", "ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "blur_limit": (3, 7),
            "allow_shifted": True,
            "angle_range": (0, 360),
            "direction_range": (-1.0, 1.0),
            "p": 0.5,
        },
    ),
    "MultiplicativeNoise": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "multiplier": (0.9, 1.1),
            "per_channel": False,
            "elementwise": False,
            "p": 0.5,
        },
    ),
    "NoOp": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "Normalize": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "mean": (0.485, 0.456, 0.406),
            "std": (0.229, 0.224, 0.225),
            "max_pixel_value": 255.0,
            "normalization": "standard",
            "p": 1.0,
        },
    ),
    "OneOf": Signature(
        bases=("BaseCompose", "Serializable"),
        positional=2,
        parameters={
            "transforms": "<required>",
            "p": 0.5,
        },
    ),
    "OneOrOther": Signature(
        bases=("BaseCompose", "Serializable"),
        positional=4,
        parameters={
            "first": None,
            "second": None,
            "transforms": None,
            "p": 0.5,
        },
    ),
    "OpticalDistortion": Signature(
        bases=("BaseDistortion", "DualTransform", "BasicTransform", "Serializable"),
        positional=9,
        parameters={
            "distort_limit": (-0.05, 0.05),
            "interpolation": 1,
            "mask_interpolation": 0,
            "mode": "camera",
            "keypoint_remapping_method": "mask",
            "p": 0.5,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
        },
    ),
    "OverlayElements": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "metadata_key": "overlay_metadata",
            "p": 0.5,
        },
    ),
    "Pad": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "padding": 0,
            "fill": 0,
            "fill_mask": 0,
            "border_mode": 0,
            "p": 1.0,
        },
    ),
    "Pad3D": Signature(
        bases=("BasePad3D", "Transform3D", "DualTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "padding": "<required>",
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "PadIfNeeded": Signature(
        bases=("Pad", "DualTransform", "BasicTransform", "Serializable"),
        positional=9,
        parameters={
            "min_height": 1024,
            "min_width": 1024,
            "pad_height_divisor": None,
            "pad_width_divisor": None,
            "position": "center",
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "PadIfNeeded3D": Signature(
        bases=("BasePad3D", "Transform3D", "DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "min_zyx": None,
            "pad_divisor_zyx": None,
            "position": "center",
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "Perspective": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=9,
        parameters={
            "scale": (0.05, 0.1),
            "keep_size": True,
            "fit_output": False,
            "interpolation": 1,
            "mask_interpolation": 0,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "PiecewiseAffine": Signature(
        bases=("BaseDistortion", "DualTransform", "BasicTransform", "Serializable"),
        positional=11,
        parameters={
            "scale": (0.03, 0.05),
            "nb_rows": (4, 4),
            "nb_cols": (4, 4),
            "interpolation": 1,
            "mask_interpolation": 0,
            "absolute_scale": False,
            "keypoint_remapping_method": "mask",
            "p": 0.5,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
        },
    ),
    "PixelDistributionAdaptation": Signature(
        bases=("BaseDomainAdaptation", "ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "reference_images": None,
            "blend_ratio": (0.25, 1.0),
            "read_fn": "<not a plain value>",
            "transform_type": "pca",
            "metadata_key": "pda_metadata",
            "p": 0.5,
        },
    ),
    "PixelDropout": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "dropout_prob": 0.01,
            "per_channel": False,
            "drop_value": 0,
            "mask_drop_value": None,
            "p": 0.5,
        },
    ),
    "PlanckianJitter": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "mode": "blackbody",
            "temperature_limit": None,
            "sampling_method": "uniform",
            "p": 0.5,
        },
    ),
    "PlasmaBrightnessContrast": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "brightness_range": (-0.3, 0.3),
            "contrast_range": (-0.3, 0.3),
            "plasma_size": 256,
            "roughness": 3.0,
            "p": 0.5,
        },
    ),
    "PlasmaShadow": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "shadow_intensity_range": (0.3, 0.7),
            "plasma_size": 256,
            "roughness": 3.0,
            "p": 0.5,
        },
    ),
    "Posterize": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "num_bits": 4,
            "p": 0.5,
        },
    ),
    "RGBShift": Signature(
        bases=("AdditiveNoise", "ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "r_shift_limit": (-20, 20),
            "g_shift_limit": (-20, 20),
            "b_shift_limit": (-20, 20),
            "p": 0.5,
        },
    ),
    "RandomBrightnessContrast": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "brightness_limit": (-0.2, 0.2),
            "contrast_limit": (-0.2, 0.2),
            "brightness_by_max": True,
            "ensure_safe_range": False,
            "p": 0.5,
        },
    ),
    "RandomCrop": Signature(
        bases=("BaseCropAndPad", "BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "height": "<required>",
            "width": "<required>",
            "pad_if_needed": False,
            "pad_position": "center",
            "border_mode": 0,
            "fill": 0.0,
            "fill_mask": 0.0,
            "p": 1.0,
        },
    ),
    "RandomCrop3D": Signature(
        bases=("BaseCropAndPad3D", "Transform3D", "DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "size": "<required>",
            "pad_if_needed": False,
            "fill": 0,
            "fill_mask": 0,
            "p": 1.0,
        },
    ),
    "RandomCropFromBorders": Signature(
        bases=("BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "crop_left": 0.1,
            "crop_right": 0.1,
            "crop_top": 0.1,
            "crop_bottom": 0.1,
            "p": 1.0,
        },
    ),
    "RandomCropNearBBox": Signature(
        bases=("BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "max_part_shift": (0, 0.3),
            "cropping_bbox_key": "cropping_bbox",
            "p": 1.0,
        },
    ),
    "RandomFog": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "alpha_coef": 0.08,
            "fog_coef_range": (0.3, 1),
            "p": 0.5,
        },
    ),
    "RandomGamma": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "gamma_limit": (80, 120),
            "p": 0.5,
        },
    ),
    "RandomGravel": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "gravel_roi": (0.1, 0.4, 0.9, 0.9),
            "number_of_patches": 2,
            "p": 0.5,
        },
    ),
    "RandomGridShuffle": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "grid": (3, 3),
            "p": 0.5,
        },
    ),
    "RandomOrder": Signature(
        bases=("SomeOf", "BaseCompose", "Serializable"),
        positional=4,
        parameters={
            "transforms": "<required>",
            "n": 1,
            "replace": False,
            "p": 1,
        },
    ),
    "RandomRain": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "slant_range": (-10, 10),
            "drop_length": None,
            "drop_width": 1,
            "drop_color": (200, 200, 200),
            "blur_value": 7,
            "brightness_coefficient": 0.7,
            "rain_type": "default",
            "p": 0.5,
        },
    ),
    "RandomResizedCrop": Signature(
        bases=("_BaseRandomSizedCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "size": "<required>",
            "scale": (0.08, 1.0),
            "ratio": (0.75, 1.3333333333333333),
            "interpolation": 1,
            "mask_interpolation": 0,
            "area_for_downscale": None,
            "p": 1.0,
        },
    ),
    "RandomRotate90": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 1,
        },
    ),
    "RandomScale": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "scale_limit": (-0.1, 0.1),
            "interpolation": 1,
            "mask_interpolation": 0,
            "area_for_downscale": None,
            "p": 0.5,
        },
    ),
    "RandomShadow": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "shadow_roi": (0, 0.5, 1, 1),
            "num_shadows_limit": (1, 2),
            "shadow_dimension": 5,
            "shadow_intensity_range": (0.5, 0.5),
            "p": 0.5,
        },
    ),
    "RandomSizedBBoxSafeCrop": Signature(
        bases=("BBoxSafeRandomCrop", "BaseCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "height": "<required>",
            "width": "<required>",
            "erosion_rate": 0.0,
            "interpolation": 1,
            "mask_interpolation": 0,
            "p": 1.0,
        },
    ),
    "RandomSizedCrop": Signature(
        bases=("_BaseRandomSizedCrop", "DualTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "min_max_height": "<required>",
            "size": "<required>",
            "w2h_ratio": 1.0,
            "interpolation": 1,
            "mask_interpolation": 0,
            "area_for_downscale": None,
            "p": 1.0,
        },
    ),
    "RandomSnow": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=4,
        parameters={
            "brightness_coeff": 2.5,
            "snow_point_range": (0.1, 0.3),
            "method": "bleach",
            "p": 0.5,
        },
    ),
    "RandomSunFlare": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "flare_roi": (0, 0, 1, 0.5),
            "src_radius": 400,
            "src_color": (255, 255, 255),
            "angle_range": (0, 1),
            "num_flare_circles_range": (6, 10),
            "method": "overlay",
            "p": 0.5,
        },
    ),
    "RandomToneCurve": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "scale": 0.1,
            "per_channel": False,
            "p": 0.5,
        },
    ),
    "ReplayCompose": Signature(
        bases=("Compose", "BaseCompose", "Serializable", "HubMixin"),
        positional=7,
        parameters={
            "transforms": "<required>",
            "bbox_params": None,
            "keypoint_params": None,
            "additional_targets": None,
            "p": 1.0,
            "is_check_shapes": True,
            "save_key": "replay",
        },
    ),
    "Resize": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "height": "<required>",
            "width": "<required>",
            "interpolation": 1,
            "mask_interpolation": 0,
            "area_for_downscale": None,
            "p": 1,
        },
    ),
    "RingingOvershoot": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "blur_limit": (7, 15),
            "cutoff": (0.7853981633974483, 1.5707963267948966),
            "p": 0.5,
        },
    ),
    "Rotate": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=9,
        parameters={
            "limit": (-90, 90),
            "interpolation": 1,
            "border_mode": 0,
            "rotate_method": "largest_box",
            "crop_border": False,
            "mask_interpolation": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "SafeRotate": Signature(
        bases=("Affine", "DualTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "limit": (-90, 90),
            "interpolation": 1,
            "border_mode": 0,
            "rotate_method": "largest_box",
            "mask_interpolation": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "SaltAndPepper": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "amount": (0.01, 0.06),
            "salt_vs_pepper": (0.4, 0.6),
            "p": 0.5,
        },
    ),
    "SelectiveChannelTransform": Signature(
        bases=("BaseCompose", "Serializable"),
        positional=3,
        parameters={
            "transforms": "<required>",
            "channels": (0, 1, 2),
            "p": 1.0,
        },
    ),
    "Sequential": Signature(
        bases=("BaseCompose", "Serializable"),
        positional=2,
        parameters={
            "transforms": "<required>",
            "p": 0.5,
        },
    ),
    "Sharpen": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "alpha": (0.2, 0.5),
            "lightness": (0.5, 1.0),
            "method": "kernel",
            "kernel_size": 5,
            "sigma": 1.0,
            "p": 0.5,
        },
    ),
    "ShiftScaleRotate": Signature(
        bases=("Affine", "DualTransform", "BasicTransform", "Serializable"),
        positional=12,
        parameters={
            "shift_limit": (-0.0625, 0.0625),
            "scale_limit": (-0.1, 0.1),
            "rotate_limit": (-45, 45),
            "interpolation": 1,
            "border_mode": 0,
            "shift_limit_x": None,
            "shift_limit_y": None,
            "rotate_method": "largest_box",
            "mask_interpolation": 0,
            "fill": 0,
            "fill_mask": 0,
            "p": 0.5,
        },
    ),
    "ShotNoise": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "scale_range": (0.1, 0.3),
            "p": 0.5,
        },
    ),
    "SmallestMaxSize": Signature(
        bases=("MaxSizeTransform", "DualTransform", "BasicTransform", "Serializable"),
        positional=6,
        parameters={
            "max_size": None,
            "max_size_hw": None,
            "interpolation": 1,
            "mask_interpolation": 0,
            "area_for_downscale": None,
            "p": 1,
        },
    ),
    "Solarize": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "threshold_range": (0.5, 0.5),
            "p": 0.5,
        },
    ),
    "SomeOf": Signature(
        bases=("BaseCompose", "Serializable"),
        positional=4,
        parameters={
            "transforms": "<required>",
            "n": 1,
            "replace": False,
            "p": 1,
        },
    ),
    "Spatter": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=8,
        parameters={
            "mean": (0.65, 0.65),
            "std": (0.3, 0.3),
            "gauss_sigma": (2, 2),
            "cutout_threshold": (0.68, 0.68),
            "intensity": (0.6, 0.6),
            "mode": "rain",
            "color": None,
            "p": 0.5,
        },
    ),
    "SquareSymmetry": Signature(
        bases=("D4", "DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 1,
        },
    ),
    "Superpixels": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "p_replace": (0, 0.1),
            "n_segments": (100, 100),
            "max_size": 128,
            "interpolation": 1,
            "p": 0.5,
        },
    ),
    "TextImage": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=9,
        parameters={
            "font_path": "<required>",
            "stopwords": ("the", "is", "in", "at", "of"),
            "augmentations": (None,),
            "fraction_range": (1.0, 1.0),
            "font_size_fraction_range": (0.8, 0.9),
            "font_color": (0, 0, 0),
            "clear_bg": False,
            "metadata_key": "textimage_metadata",
            "p": 0.5,
        },
    ),
    "ThinPlateSpline": Signature(
        bases=("BaseDistortion", "DualTransform", "BasicTransform", "Serializable"),
        positional=9,
        parameters={
            "scale_range": (0.2, 0.4),
            "num_control_points": 4,
            "interpolation": 1,
            "mask_interpolation": 0,
            "keypoint_remapping_method": "mask",
            "p": 0.5,
            "border_mode": 0,
            "fill": 0,
            "fill_mask": 0,
        },
    ),
    "TimeMasking": Signature(
        bases=("XYMasking", "BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "time_mask_param": 40,
            "p": 0.5,
        },
    ),
    "TimeReverse": Signature(
        bases=("HorizontalFlip", "DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "ToFloat": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "max_value": None,
            "p": 1.0,
        },
    ),
    "ToGray": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "num_output_channels": 3,
            "method": "weighted_average",
            "p": 0.5,
        },
    ),
    "ToRGB": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=2,
        parameters={
            "num_output_channels": 3,
            "p": 1.0,
        },
    ),
    "ToSepia": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "Transform3D": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "Transpose": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "UnsharpMask": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=5,
        parameters={
            "blur_limit": (3, 7),
            "sigma_limit": 0.0,
            "alpha": (0.2, 0.5),
            "threshold": 10,
            "p": 0.5,
        },
    ),
    "VerticalFlip": Signature(
        bases=("DualTransform", "BasicTransform", "Serializable"),
        positional=1,
        parameters={
            "p": 0.5,
        },
    ),
    "XYMasking": Signature(
        bases=("BaseDropout", "DualTransform", "BasicTransform", "Serializable"),
        positional=7,
        parameters={
            "num_masks_x": 0,
            "num_masks_y": 0,
            "mask_x_length": 0,
            "mask_y_length": 0,
            "fill": 0,
            "fill_mask": None,
            "p": 0.5,
        },
    ),
    "ZoomBlur": Signature(
        bases=("ImageOnlyTransform", "BasicTransform", "Serializable"),
        positional=3,
        parameters={
            "max_factor": (1, 1.31),
            "step_factor": (0.01, 0.03),
            "p": 0.5,
        },
    ),
}

# ---------------------------------------------------------------- views, derived from the one table above
# Every parameter default safeaug can use: `strict` (albumentations' argument checking, not part of what a
# transform does) and defaults that are not plain values are left out.
DEFAULTS: dict[str, dict[str, Any]] = {
    name: {k: v for k, v in s.parameters.items() if k != "strict" and v != OPAQUE} for name, s in SIGNATURES.items()
}
# Every parameter name, in signature order.
PARAMETERS: dict[str, tuple[str, ...]] = {name: tuple(s.parameters) for name, s in SIGNATURES.items()}
# Parameters that may be given by position, in order.
POSITIONAL: dict[str, tuple[str, ...]] = {name: tuple(s.parameters)[: s.positional] for name, s in SIGNATURES.items()}
# The albumentations classes each class derives from, nearest first (for inheritance in dicts).
BASES: dict[str, tuple[str, ...]] = {name: s.bases for name, s in SIGNATURES.items() if s.bases}
