"""Building a review: the page and its pictures, the review file, labels, 16-bit and DICOM inputs, blinding."""

from __future__ import annotations

import re
from pathlib import Path

import albumentations as A
import cv2
import numpy as np
import pytest

from safeaug.cli import main
from safeaug.review import apply, build, load_review
from safeaug.review.images import ReviewImage, from_array, load_image, to_display
from safeaug.review.reviewfile import ReviewFileError

PIPELINE = A.Compose([A.Rotate(limit=10, p=0.5), A.RandomGamma(gamma_limit=(80, 120), p=0.5), A.HorizontalFlip()])


def _film(path: Path, size: int = 48, dtype: type = np.uint8) -> Path:
    img = np.zeros((size, size), dtype)
    top = np.iinfo(dtype).max if dtype == np.uint8 else 4095
    cv2.circle(img, (size * 2 // 3, size // 2), size // 4, int(top * 0.8), -1)
    img[: size // 8, : size // 8] = top // 3
    cv2.imwrite(str(path), img)
    return path


def test_page_file_and_pictures(tmp_path: Path) -> None:
    film = _film(tmp_path / "film.png")
    out = tmp_path / "review"
    review = build(PIPELINE, "chest_xray", [film], out, samples=2)
    page = review.page.read_text()
    # self-contained: no network, no external script or style
    assert not re.search(r"https?://", page)
    assert "<link" not in page and "<script src" not in page
    data = load_review(review.review_file)
    assert data.header["reviewer"] is None and data.header["policy"] == "chest_xray"
    effects = [(i.effect, i.magnitude) for i in data.items if i.kind == "effect"]
    assert sorted(m for e, m in effects if e == "rotation") == pytest.approx([-10, -7.5, -5, -2.5, 2.5, 5, 7.5, 10])
    assert ("mirror", 1.0) in effects
    assert sum(1 for i in data.items if i.kind == "draw") == 2
    assert all(i.decision is None for i in data.items)
    for item in data.items:
        assert (out / str(item.image)).is_file()
    text = review.review_file.read_text()
    assert "applied: Rotate(" in text and "limit=(-10, -10)" in text  # captions carry the parameters
    assert "SA101" in page  # the validator's verdict on the pipeline is on the page
    # the mirror really is one: the picture is the original flipped
    mirror = next(i for i in review.items if i["effect"] == "mirror")
    shown = cv2.imread(str(out / mirror["image"]))
    original = cv2.imread(str(out / mirror["original"]))
    assert np.array_equal(shown, original[:, ::-1])


def test_labels_are_drawn_and_follow_the_image(tmp_path: Path) -> None:
    film = _film(tmp_path / "film.png")
    mask = np.zeros((48, 48), np.uint8)
    mask[10:20, 30:40] = 255
    cv2.imwrite(str(tmp_path / "mask.png"), mask)
    labels = {"film.png": {"mask": "mask.png", "keypoints": [[5, 5]], "bboxes": [[2, 30, 12, 40]]}}
    review = build(A.Compose([A.HorizontalFlip()]), "natural", [film], tmp_path / "r", samples=0, labels=labels)
    original = cv2.cvtColor(cv2.imread(str(tmp_path / "r" / "images" / "original-1.png")), cv2.COLOR_BGR2RGB)
    flipped = cv2.cvtColor(cv2.imread(str(review.outdir / review.items[0]["image"])), cv2.COLOR_BGR2RGB)
    green = (original[:, :, 1] > 200) & (original[:, :, 0] < 100)
    assert green[5, 5]  # the keypoint
    assert (flipped[:, :, 1] > 200)[5, 42] and (flipped[:, :, 0] < 100)[5, 42]  # it moved with the flip
    red = (original[:, :, 0] > original[:, :, 1] + 40)[10:20, 30:40]
    assert red.mean() > 0.5  # the mask's tint
    yellow = (original[:, :, 0] > 200) & (original[:, :, 1] > 150) & (original[:, :, 2] < 100)
    assert yellow[30, 2] and yellow[40, 12]  # the box's corners


def test_sixteen_bit_inputs_are_windowed(tmp_path: Path) -> None:
    film = _film(tmp_path / "film16.png", dtype=np.uint16)
    img = load_image(film)
    assert img.image.dtype == np.float32 and 0.75 < img.image.max() <= 1.0  # 12-bit data spans 0-1
    assert img.window is not None
    shown = to_display(img.image, img.window)
    assert shown.dtype == np.uint8 and shown.max() == 255 and shown.min() == 0
    review = build(A.Compose([A.RandomGamma(gamma_limit=(80, 120))]), "chest_xray", [film], tmp_path / "r", samples=1)
    assert (review.outdir / review.items[0]["image"]).is_file()


def test_dicom_inputs_use_their_window(tmp_path: Path) -> None:
    pydicom = pytest.importorskip("pydicom")
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(tmp_path / "film.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
    pixels = np.tile(np.arange(0, 1000, 1000 / 32, dtype=np.uint16), (32, 1))
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1, -500
    ds.WindowCenter, ds.WindowWidth = 0, 500  # -250..250 of -500..468: the middle half of the ramp
    ds.PixelData = pixels.tobytes()
    ds.save_as(str(tmp_path / "film.dcm"), enforce_file_format=True)
    img = load_image(tmp_path / "film.dcm")
    shown = to_display(img.image, img.window)[0, :, 0]
    assert shown[:7].max() == 0 and shown[-7:].min() == 255  # outside the window: black and white
    assert 0 < shown[16] < 255
    assert pydicom is not None
    review = build(A.Compose([A.Rotate(limit=5)]), "chest_xray", [tmp_path / "film.dcm"], tmp_path / "r", samples=0)
    assert len(review.items) == 8


def test_blind_review_hides_everything_and_apply_unblinds(tmp_path: Path) -> None:
    film = _film(tmp_path / "film.png")
    out = tmp_path / "blind"
    review = build(A.Compose([A.Rotate(limit=20, p=0.5)]), "chest_xray", [film], out, samples=1, blind=True)
    assert review.key_file == tmp_path / "blind.key.yaml" and review.key_file.is_file()
    text = review.review_file.read_text()
    assert "Rotate" not in text and "rotation" not in text and "original" not in text
    page = review.page.read_text()
    assert "Rotate" not in page and "limit=" not in page
    data = load_review(review.review_file)  # finds the key beside the folder
    kinds = sorted(i.kind or "" for i in data.items)
    assert kinds.count("original") == 1 and kinds.count("draw") == 1 and kinds.count("effect") == 8
    assert len({p.name for p in (out / "images").iterdir()}) == 10
    assert not any(p.name.startswith(("e", "original")) for p in (out / "images").iterdir())
    # a reader rejects the turns beyond 10 degrees (the exported file lives elsewhere)
    filled = text
    for item in data.items:
        decision = "reject" if item.effect == "rotation" and abs(item.magnitude or 0) > 10 else "accept"
        filled = filled.replace(f'id: "{item.id}"', f'id: "{item.id}"', 1)
        block = filled.split(f'id: "{item.id}"', 1)
        block[1] = block[1].replace("decision: null", f'decision: "{decision}"', 1)
        filled = f'id: "{item.id}"'.join(block)
    exported = tmp_path / "home" / "downloads" / "review-ann.yaml"
    exported.parent.mkdir(parents=True)
    exported.write_text(filled.replace("reviewer: null", 'reviewer: "ann"'))
    with pytest.raises(ReviewFileError, match="blinded; its key"):
        load_review(exported)
    policy = apply([exported], tmp_path / "p.yaml", key=review.key_file)
    assert policy.invariant("rotation").max == 10  # type: ignore[union-attr]
    other = tmp_path / "other.key.yaml"
    other.write_text(review.key_file.read_text() + "# edited\n")
    with pytest.raises(ReviewFileError, match="does not belong"):
        load_review(exported, key=other)


def test_cli_builds_and_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    film = _film(tmp_path / "film.png")
    config = tmp_path / "train.json"
    A.save(A.Compose([A.Rotate(limit=10, p=0.5)]), str(config))
    out = tmp_path / "page"
    args = ["review", str(config), "--policy", "chest_xray", "--images", str(film), "-o", str(out), "--samples", "1"]
    assert main(args) == 0
    assert (out / "index.html").is_file() and (out / "review.yaml").is_file()
    assert "wrote" in capsys.readouterr().out
    bad = ["review", str(config), "--policy", "chest_xray", "--images", str(tmp_path / "nope.png"), "-o", str(out)]
    assert main(bad) == 2
    assert "nope.png: no such image file" in capsys.readouterr().err
    assert main(["review", str(config), "--policy", "no_such_policy", "--images", str(film), "-o", str(out)]) == 2
    assert "no built-in policy" in capsys.readouterr().err
    custom = tmp_path / "custom.yaml"
    custom.write_text("transform:\n  __class_fullname__: Compose\n  transforms:\n  - __class_fullname__: os.system\n")
    assert main(["review", str(custom), "--policy", "chest_xray", "--images", str(film), "-o", str(out)]) == 2
    assert "only albumentations transforms are built" in capsys.readouterr().err


def test_in_memory_images(tmp_path: Path) -> None:
    arr = np.zeros((32, 32, 3), np.uint8)
    arr[:, :16] = (200, 30, 30)
    review = build(A.Compose([A.HueSaturationValue(p=1)]), "natural", [arr, from_array("b", arr)], tmp_path, samples=0)
    assert {i["source"] for i in review.items} == {"image1", "b"}
    assert isinstance(from_array("c", arr), ReviewImage)


def test_a_pipeline_that_cannot_run_on_an_image_is_bad_input(tmp_path: Path) -> None:
    from safeaug.review import ReviewInputError

    # Overlays are data beside the image that no review image gives: the error names the transform, its key and
    # what to do instead.
    with pytest.raises(ReviewInputError, match=r"image1: the pipeline failed on this image .*overlay_metadata") as err:
        build(A.Compose([A.OverlayElements(p=1)]), "natural", [np.zeros((32, 32, 3), np.uint8)], tmp_path, samples=1)
    assert "OverlayElements reads `overlay_metadata`" in str(err.value)
    assert "review the pipeline without OverlayElements" in str(err.value)


def _solid(colour: tuple[int, int, int], size: int = 64) -> np.ndarray:
    img = np.zeros((size, size, 3), np.uint8)
    img[:] = colour
    return img


def _draws(review: object, out: Path, source: str) -> list[np.ndarray]:
    items = [i for i in review.items if i["kind"] == "draw" and i["source"] == source]  # type: ignore[attr-defined]
    assert items
    return [cv2.cvtColor(cv2.imread(str(out / i["image"])), cv2.COLOR_BGR2RGB) for i in items]


def test_mosaic_takes_its_other_cells_from_the_other_review_images(tmp_path: Path) -> None:
    red, blue = _solid((200, 30, 30)), _solid((30, 30, 200))
    pipeline = A.Compose([A.Mosaic(grid_yx=(2, 2), target_size=(64, 64), cell_shape=(64, 64), p=1)])
    review = build(pipeline, "natural", [from_array("red", red), from_array("blue", blue)], tmp_path, samples=3)
    for source, own, other in (("red", red, blue), ("blue", blue, red)):
        for picture in _draws(review, tmp_path, source):
            pixels = picture.reshape(-1, 3)
            # each draw holds both images: its own cell and at least one cell of the other review image
            assert (pixels == own[0, 0]).all(axis=1).any(), source
            assert (pixels == other[0, 0]).all(axis=1).any(), source
    # one image: the mosaic is made of that image alone
    alone = build(pipeline, "natural", [from_array("red", red)], tmp_path / "alone", samples=2)
    for picture in _draws(alone, tmp_path / "alone", "red"):
        assert not (picture.reshape(-1, 3) == blue[0, 0]).all(axis=1).any()


def test_mosaic_items_carry_the_labels_the_image_carries(tmp_path: Path) -> None:
    red = ReviewImage("red", _solid((200, 30, 30)), mask=np.full((64, 64), 255, np.uint8), bboxes=[(8, 8, 40, 40)])
    blue = ReviewImage("blue", _solid((30, 30, 200)))  # no labels of its own: an empty mask and no boxes
    from safeaug.review.builder import _run

    mosaic = A.Mosaic(grid_yx=(2, 2), target_size=(64, 64), cell_shape=(64, 64), p=1)
    for seed in range(4):
        out = _run([mosaic], red, seed, [red, blue])
        is_red = (out["image"] == (200, 30, 30)).all(axis=2)
        is_blue = (out["image"] == (30, 30, 200)).all(axis=2)
        assert is_blue.any()  # a cell of the other image
        assert np.array_equal(out["mask"] == 255, is_red)  # the red image's mask, the other's empty one
        assert len(out["bboxes"]) >= 1  # the red image's box, where its cell shows it
    review = build(A.Compose([mosaic]), "natural", [red, blue], tmp_path, samples=2)
    assert _draws(review, tmp_path, "red") and _draws(review, tmp_path, "blue")


def test_reference_images_come_from_the_other_review_images(tmp_path: Path) -> None:
    dark = np.tile(np.linspace(0, 80, 64, dtype=np.uint8), (64, 1))
    dark = np.dstack([dark] * 3)
    bright = np.dstack([np.tile(np.linspace(170, 250, 64, dtype=np.uint8), (64, 1))] * 3)
    pipeline = A.Compose([A.HistogramMatching(blend_ratio=(1.0, 1.0), p=1)])
    review = build(pipeline, "natural", [from_array("dark", dark), from_array("bright", bright)], tmp_path, samples=2)
    for picture in _draws(review, tmp_path, "dark"):  # matched to the bright image's levels
        assert picture.mean() > dark.mean() + 100
    for picture in _draws(review, tmp_path, "bright"):
        assert picture.mean() < bright.mean() - 100


def test_review_of_an_ultralytics_run_with_mosaic(tmp_path: Path) -> None:
    config = Path(__file__).parents[1] / "examples" / "good" / "ultralytics" / "natural_args.yaml"
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    cv2.imwrite(str(first), _solid((40, 160, 40), 96))
    cv2.imwrite(str(second), _solid((160, 40, 160), 80))
    out = tmp_path / "review"
    argv = ["review", str(config), "--policy", "natural", "--images", str(first), str(second), "-o", str(out)]
    assert main([*argv, "--samples", "1"]) == 0
    data = load_review(out / "review.yaml")
    assert any(i.transform == "Mosaic" for i in data.items)
    assert sum(1 for i in data.items if i.kind == "draw") == 2
