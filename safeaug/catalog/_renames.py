"""Class and argument names across albumentations lines, mapped into the 2.0.8 vocabulary the catalog reads.

Three lines of albumentations are in use, and configs written for one are read by another:

* **1.x** (up to 1.4.24): ``always_apply``, ``GaussNoise(var_limit=...)``, ``ImageCompression(quality_lower=...)``,
  classes removed in 2.0 (``Flip``, ``JpegCompression``, ``RandomContrast``, ``Cutout``, the ``IAA*`` family).
* **2.0.x** (2.0.8 is the last release): the names the catalog reads.
* **AlbumentationsX** (2.2 and later): every sampling range ends in ``_range`` (``Rotate(angle_range=...)``,
  ``ColorJitter(brightness_range=...)``), with no deprecation period.

Every line drops an argument it does not know, with at most a warning at start-up, so a config written
for another line runs with a default nobody chose. The readers use these tables to read each argument
with the meaning its author intended and to say what the installed line will do instead.

Sources: the signatures of albumentations 1.4.24 and 2.0.8 and of AlbumentationsX 2.5.1 compared
parameter by parameter, and each line's release notes.
"""

from __future__ import annotations

from typing import Any, Literal

# How a 1.x argument's value becomes the 2.0.8 argument's value.
#   same         the same value under the new name
#   low, high    one end of the new (low, high) pair; the other end comes from the other old argument
#   pair         x -> (x, x) (a fixed number became a range)
#   var_to_std   GaussNoise variance in pixel units (0..255 scale) -> standard deviation as a fraction
#   pixel_mean   a mean in pixel units -> (m, m) as a fraction of 255
#   px_to_std    imgaug's noise scale in pixel units -> std_range as a fraction of 255
#   threshold    Solarize threshold in pixel units (or a fraction) -> threshold_range as fractions
#   interpolation_pair  one interpolation -> {"downscale": i, "upscale": i}
#   flag_p       always_apply=True means the transform always runs: p=1
Conversion = Literal[
    "same", "low", "high", "pair", "var_to_std", "pixel_mean", "px_to_std", "threshold", "interpolation_pair", "flag_p"
]

# 1.x argument -> (2.0.8 argument, conversion), per class. ``*`` applies to every class.
OLD_ARGUMENTS: dict[str, dict[str, tuple[str, Conversion]]] = {
    "*": {"always_apply": ("p", "flag_p")},
    "Affine": {"cval": ("fill", "same"), "cval_mask": ("fill_mask", "same"), "mode": ("border_mode", "same")},
    "CoarseDropout": {
        "min_holes": ("num_holes_range", "low"),
        "max_holes": ("num_holes_range", "high"),
        "min_height": ("hole_height_range", "low"),
        "max_height": ("hole_height_range", "high"),
        "min_width": ("hole_width_range", "low"),
        "max_width": ("hole_width_range", "high"),
        "fill_value": ("fill", "same"),
        "mask_fill_value": ("fill_mask", "same"),
    },
    "GaussNoise": {"var_limit": ("std_range", "var_to_std"), "mean": ("mean_range", "pixel_mean")},
    "ImageCompression": {"quality_lower": ("quality_range", "low"), "quality_upper": ("quality_range", "high")},
    "Downscale": {
        "scale_min": ("scale_range", "low"),
        "scale_max": ("scale_range", "high"),
        "interpolation": ("interpolation_pair", "interpolation_pair"),
    },
    "Rotate": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "SafeRotate": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "ShiftScaleRotate": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "PadIfNeeded": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "ElasticTransform": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "GridDistortion": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "OpticalDistortion": {"value": ("fill", "same"), "mask_value": ("fill_mask", "same")},
    "Perspective": {"pad_val": ("fill", "same"), "mask_pad_val": ("fill_mask", "same")},
    "CropAndPad": {
        "pad_cval": ("fill", "same"),
        "pad_cval_mask": ("fill_mask", "same"),
        "pad_mode": ("border_mode", "same"),
    },
    "ChannelDropout": {"fill_value": ("fill", "same")},
    "GridDropout": {"fill_value": ("fill", "same"), "mask_fill_value": ("fill_mask", "same")},
    "XYMasking": {"fill_value": ("fill", "same"), "mask_fill_value": ("fill_mask", "same")},
    "RandomFog": {"fog_coef_lower": ("fog_coef_range", "low"), "fog_coef_upper": ("fog_coef_range", "high")},
    "RandomRain": {"slant_lower": ("slant_range", "low"), "slant_upper": ("slant_range", "high")},
    "RandomShadow": {
        "num_shadows_lower": ("num_shadows_limit", "low"),
        "num_shadows_upper": ("num_shadows_limit", "high"),
    },
    "RandomSnow": {"snow_point_lower": ("snow_point_range", "low"), "snow_point_upper": ("snow_point_range", "high")},
    "RandomSunFlare": {
        "angle_lower": ("angle_range", "low"),
        "angle_upper": ("angle_range", "high"),
        "num_flare_circles_lower": ("num_flare_circles_range", "low"),
        "num_flare_circles_upper": ("num_flare_circles_range", "high"),
    },
    "Solarize": {"threshold": ("threshold_range", "threshold")},
    "RandomResizedCrop": {"height": ("size", "low"), "width": ("size", "high")},
    "RandomSizedCrop": {"height": ("size", "low"), "width": ("size", "high")},
    # classes removed in 2.0 (see OLD_CLASSES): their arguments under the replacement's names
    "RandomContrast": {"limit": ("contrast_limit", "same")},
    "RandomBrightness": {"limit": ("brightness_limit", "same")},
    "JpegCompression": {"quality_lower": ("quality_range", "low"), "quality_upper": ("quality_range", "high")},
    "Cutout": {
        "num_holes": ("num_holes_range", "pair"),
        "max_h_size": ("hole_height_range", "pair"),
        "max_w_size": ("hole_width_range", "pair"),
        "fill_value": ("fill", "same"),
    },
    "IAAAffine": {"cval": ("fill", "same"), "mode": ("border_mode", "same")},
    "IAAAdditiveGaussianNoise": {"scale": ("std_range", "px_to_std"), "loc": ("mean_range", "pixel_mean")},
}

# 1.x defaults of arguments that combine into one 2.0.8 argument, or of removed classes whose
# defaults differ from their replacement's. ``None`` for a ``low`` end means "the same as the high end".
OLD_DEFAULTS: dict[str, dict[str, Any]] = {
    "CoarseDropout": {
        "max_holes": 8,
        "min_holes": None,
        "max_height": 8,
        "min_height": None,
        "max_width": 8,
        "min_width": None,
    },
    "ImageCompression": {"quality_lower": 99, "quality_upper": 100},
    "JpegCompression": {"quality_lower": 99, "quality_upper": 100},
    "Downscale": {"scale_min": 0.25, "scale_max": 0.25},
    "RandomFog": {"fog_coef_lower": 0.3, "fog_coef_upper": 1.0},
    "RandomRain": {"slant_lower": -10, "slant_upper": 10},
    "RandomShadow": {"num_shadows_lower": 1, "num_shadows_upper": 2},
    "RandomSnow": {"snow_point_lower": 0.1, "snow_point_upper": 0.3},
    "RandomSunFlare": {
        "angle_lower": 0.0,
        "angle_upper": 1.0,
        "num_flare_circles_lower": 6,
        "num_flare_circles_upper": 10,
    },
    "GaussNoise": {"var_limit": (10.0, 50.0), "mean": 0},
    "RandomContrast": {"limit": 0.2},
    "RandomBrightness": {"limit": 0.2},
    "Cutout": {"num_holes": 8, "max_h_size": 8, "max_w_size": 8},
    "IAAAdditiveGaussianNoise": {"scale": (2.55, 12.75)},
}

# 1.x positional order of classes whose 2.0 signature begins differently, with the test that tells the
# two apart: the 1.x reading is taken when the argument at ``index`` is a plain number where 2.0 expects a
# pair ("number"), or is a number or pair above 1 where 2.0 expects fractions ("beyond_unit").
OLD_POSITIONAL: dict[str, tuple[tuple[str, ...], int, Literal["number", "beyond_unit"]]] = {
    "RandomResizedCrop": (("height", "width", "scale", "ratio", "interpolation", "always_apply", "p"), 0, "number"),
    "RandomSizedCrop": (
        ("min_max_height", "height", "width", "w2h_ratio", "interpolation", "always_apply", "p"),
        1,
        "number",
    ),
    "GaussNoise": (("var_limit", "mean", "per_channel", "noise_scale_factor", "always_apply", "p"), 0, "beyond_unit"),
    "ImageCompression": (("quality_lower", "quality_upper", "compression_type", "always_apply", "p"), 0, "number"),
    "JpegCompression": (("quality_lower", "quality_upper", "always_apply", "p"), 0, "number"),
    "Downscale": (("scale_min", "scale_max", "interpolation", "always_apply", "p"), 0, "number"),
}

# Classes removed in 2.0 -> (2.0.8 class with the same effect, fixed arguments of the replacement).
# ``Flip`` (a random horizontal, vertical or both-axes flip) has no single replacement; the readers
# expand it into ``OneOf([HorizontalFlip, VerticalFlip])`` (a vertical flip is a mirror and a half turn).
OLD_CLASSES: dict[str, tuple[str, dict[str, Any]]] = {
    "JpegCompression": ("ImageCompression", {"compression_type": "jpeg"}),
    "RandomContrast": ("RandomBrightnessContrast", {"brightness_limit": 0.0}),
    "RandomBrightness": ("RandomBrightnessContrast", {"contrast_limit": 0.0}),
    "Cutout": ("CoarseDropout", {}),
    "ToTensor": ("ToTensorV2", {}),
    "IAAFliplr": ("HorizontalFlip", {}),
    "IAAFlipud": ("VerticalFlip", {}),
    "IAAAffine": ("Affine", {}),
    "IAAPerspective": ("Perspective", {}),
    "IAAPiecewiseAffine": ("PiecewiseAffine", {}),
    "IAASharpen": ("Sharpen", {}),
    "IAAEmboss": ("Emboss", {}),
    "IAASuperpixels": ("Superpixels", {}),
    "IAAAdditiveGaussianNoise": ("GaussNoise", {}),
    "IAACropAndPad": ("CropAndPad", {}),
}
FLIP = "Flip"

# AlbumentationsX (2.2+) argument -> 2.0.8 argument, per class: same value, same meaning.
X_ARGUMENTS: dict[str, dict[str, str]] = {
    "AdvancedBlur": {
        "beta_range": "beta_limit",
        "blur_range": "blur_limit",
        "noise_range": "noise_limit",
        "rotate_range": "rotate_limit",
        "sigma_x_range": "sigma_x_limit",
        "sigma_y_range": "sigma_y_limit",
    },
    "Blur": {"blur_range": "blur_limit"},
    "CLAHE": {"clip_range": "clip_limit"},
    "ChromaticAberration": {
        "primary_distortion_range": "primary_distortion_limit",
        "secondary_distortion_range": "secondary_distortion_limit",
    },
    "ColorJitter": {
        "brightness_range": "brightness",
        "contrast_range": "contrast",
        "hue_range": "hue",
        "saturation_range": "saturation",
    },
    "Defocus": {"alias_blur_range": "alias_blur", "radius_range": "radius"},
    "Emboss": {"alpha_range": "alpha", "strength_range": "strength"},
    "FDA": {"beta_range": "beta_limit"},
    "GaussianBlur": {"blur_range": "blur_limit", "sigma_range": "sigma_limit"},
    "GridDistortion": {"distort_range": "distort_limit"},
    "HueSaturationValue": {
        "hue_shift_range": "hue_shift_limit",
        "sat_shift_range": "sat_shift_limit",
        "val_shift_range": "val_shift_limit",
    },
    "ISONoise": {"color_shift_range": "color_shift", "intensity_range": "intensity"},
    "MaskDropout": {"max_objects_range": "max_objects"},
    "MedianBlur": {"blur_range": "blur_limit"},
    "MotionBlur": {"blur_range": "blur_limit"},
    "OpticalDistortion": {"distort_range": "distort_limit"},
    "PiecewiseAffine": {"nb_cols_range": "nb_cols", "nb_rows_range": "nb_rows", "scale_range": "scale"},
    "PlanckianJitter": {"temperature_range": "temperature_limit"},
    "RGBShift": {"b_shift_range": "b_shift_limit", "g_shift_range": "g_shift_limit", "r_shift_range": "r_shift_limit"},
    "RandomBrightnessContrast": {
        "brightness_range": "brightness_limit",
        "contrast_range": "contrast_limit",
        "ensure_safe_output": "ensure_safe_range",
    },
    "RandomGamma": {"gamma_range": "gamma_limit"},
    "RandomScale": {"scale_range": "scale_limit"},
    "RandomShadow": {"num_shadows_range": "num_shadows_limit"},
    "RingingOvershoot": {"blur_range": "blur_limit", "cutoff_range": "cutoff"},
    "Rotate": {"angle_range": "limit"},
    "SafeRotate": {"angle_range": "limit"},
    "SaltAndPepper": {"amount_range": "amount", "salt_vs_pepper_range": "salt_vs_pepper"},
    "Sharpen": {"alpha_range": "alpha", "lightness_range": "lightness"},
    "ShiftScaleRotate": {
        "rotate_range": "rotate_limit",
        "scale_range": "scale_limit",
        "shift_range": "shift_limit",
        "shift_range_x": "shift_limit_x",
        "shift_range_y": "shift_limit_y",
    },
    "Spatter": {
        "cutout_threshold_range": "cutout_threshold",
        "gauss_sigma_range": "gauss_sigma",
        "intensity_range": "intensity",
        "mean_range": "mean",
        "std_range": "std",
    },
    "Superpixels": {"n_segments_range": "n_segments", "p_replace_range": "p_replace"},
    "UnsharpMask": {"alpha_range": "alpha", "blur_range": "blur_limit", "sigma_range": "sigma_limit"},
    "XYMasking": {
        "mask_x_length_range": "mask_x_length",
        "mask_y_length_range": "mask_y_length",
        "num_masks_x_range": "num_masks_x",
        "num_masks_y_range": "num_masks_y",
    },
    "ZoomBlur": {"max_factor_range": "max_factor", "step_factor_range": "step_factor"},
}

# AlbumentationsX arguments with no 2.0.8 counterpart: read by AlbumentationsX, unknown to 2.0.x.
X_ONLY_ARGUMENTS: dict[str, frozenset[str]] = {
    "AdditiveNoise": frozenset({"patch_count_range", "patch_height_range", "patch_width_range", "per_channel"}),
    "ChannelShuffle": frozenset({"channel_order"}),
    "CropAndPad": frozenset({"percent_choices", "px_choices"}),
    "D4": frozenset({"group_element"}),
    "ElasticTransform": frozenset({"control_grid_shape", "displacement_range"}),
    "GaussianBlur": frozenset({"blur_z_range", "sigma_z_range", "volume_mode"}),
    "GridDistortion": frozenset({"map_resolution_range"}),
    "HEStain": frozenset({"residual_mode", "stain_matrix"}),
    "Illumination": frozenset({"gaussian_spots", "num_spots_range"}),
    "Normalize": frozenset({"clip_range"}),
    "OpticalDistortion": frozenset({"map_resolution_range"}),
    "PiecewiseAffine": frozenset({"map_resolution_range"}),
    "RandomResizedCrop": frozenset({"sampling_method"}),
    "RandomRotate90": frozenset({"group_element", "group_elements"}),
    "SquareSymmetry": frozenset({"group_element"}),
    "ThinPlateSpline": frozenset({"map_resolution_range"}),
    "Compose": frozenset({"frame_binding", "instance_binding", "semantic_mask_label_mappings", "telemetry"}),
}

# AlbumentationsX-only arguments that change what a transform may do beyond its 2.0.8 reading, which the catalog
# does not model: more or custom illumination spots, crop/pad amounts chosen from a list, a custom stain basis,
# the fork's own elastic model, noise in patches or per channel. Given another value than the fork's default, the
# transform is not understood (SA401; probed with ``probe=True``). The other AlbumentationsX-only arguments only
# narrow a transform (a fixed group element, a channel order), set the resolution a warp's map is computed at,
# apply to volumes, or clip a representation.
X_ONLY_UNMODELLED: dict[str, frozenset[str]] = {
    "AdditiveNoise": frozenset({"patch_count_range", "patch_height_range", "patch_width_range", "per_channel"}),
    "CropAndPad": frozenset({"percent_choices", "px_choices"}),
    "ElasticTransform": frozenset({"control_grid_shape", "displacement_range"}),
    "HEStain": frozenset({"residual_mode", "stain_matrix"}),
    "Illumination": frozenset({"gaussian_spots", "num_spots_range"}),
}

# 2.0.8 arguments AlbumentationsX dropped without a renamed counterpart (AlbumentationsX ignores them).
REMOVED_IN_X: dict[str, frozenset[str]] = {
    "AdditiveNoise": frozenset({"approximation"}),
    "ElasticTransform": frozenset(
        {"alpha", "sigma", "approximate", "same_dxdy", "noise_distribution", "keypoint_remapping_method"}
    ),
    "FDA": frozenset({"read_fn", "reference_images"}),
    "GaussNoise": frozenset({"noise_scale_factor"}),
    "HistogramMatching": frozenset({"read_fn", "reference_images"}),
    "PixelDistributionAdaptation": frozenset({"read_fn", "reference_images"}),
}

# Transform classes that exist only in AlbumentationsX: real classes, but outside the 2.0.8 catalog.
X_ONLY_CLASSES: frozenset[str] = frozenset(
    {
        "Affine3D",
        "Anisotropy3D",
        "AnnotationArtifacts",
        "AtmosphericFog",
        "BBoxSubsetSafeRandomCrop",
        "BiasField",
        "ChannelSwap",
        "Colorize",
        "CopyAndPaste",
        "Dithering",
        "ElasticTransform3D",
        "Enhance",
        "ExposureMatching",
        "FilmGrain",
        "Flip3D",
        "GhostingArtifact",
        "GibbsRinging",
        "GridMask",
        "GridShuffle3D",
        "GuidedCoarseDropout",
        "Halftone",
        "KSpaceSpikeNoise",
        "LensFlare",
        "LetterBox",
        "ModeFilter",
        "MotionArtifact",
        "PhotoMetricDistort",
        "PixelSpread",
        "PlanckianJitterConst",
        "RandomResizedCrop3D",
        "RandomRotate90_3D",
        "Resize3D",
        "RicianNoise",
        "StochasticConvolution",
        "UniformTemporalSubsample",
        "Vignetting",
        "WaterRefraction",
    }
)

# Parameters of classes the 2.0.8 signature table does not cover (albumentations.pytorch).
EXTRA_PARAMETERS: dict[str, tuple[str, ...]] = {"ToTensorV2": ("transpose_mask", "p")}


def x_name(transform: str, name_2_0: str) -> str:
    """The AlbumentationsX name of a 2.0.8 argument (itself when it was not renamed)."""
    for x, old in X_ARGUMENTS.get(transform, {}).items():
        if old == name_2_0:
            return x
    return name_2_0
