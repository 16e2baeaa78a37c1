"""Expert review of a chest X-ray pipeline, end to end, on generated films.

    python examples/review/walkthrough.py [OUTDIR] [--screenshot PNG]

1. Writes three synthetic 12-bit chest films (``films.py``) with lung masks and heart boxes.
2. Builds the review page of ``train.yaml`` under the chest_xray policy (``safeaug review``).
3. Stands in for two readers: the script fills two review files the way two radiologists might
   (one rejects turns beyond 10 degrees and the strongest gamma, the other turns beyond 5 degrees too).
   With real readers, each opens OUTDIR/page/index.html, marks the images and presses Export.
4. Prints their agreement (``safeaug review agreement``), writes the tightened policy
   (``safeaug review apply``) and lints the pipeline against it (``safeaug lint``): it now fails.
With ``--screenshot``, a headless Chromium (if installed) saves a picture of the page.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from films import write_films  # noqa: E402

from safeaug.cli import main as safeaug  # noqa: E402
from safeaug.review.reviewfile import dump_review, load_review  # noqa: E402


def reader(decide, name: str, review_file: Path, out: Path) -> Path:
    """A filled copy of ``review_file``: ``decide(effect, magnitude)`` gives each augmented image's decision."""
    import yaml

    data = yaml.safe_load(review_file.read_text(encoding="utf-8"))
    data["reviewer"], data["reviewed"] = name, "2026-12-04"
    for item in data["items"]:
        if item["effect"] is None:  # a random draw of the whole pipeline
            item["decision"], item["realism"] = "accept", 4
        else:
            item["decision"] = decide(item["effect"], item["magnitude"])
            item["realism"] = 2 if item["decision"] == "reject" else 4
    items = data.pop("items")
    out.write_text(dump_review(data, items), encoding="utf-8")
    load_review(out)  # the file the page would export; checked as `review apply` will check it
    return out


def main(argv: list[str]) -> int:
    shot = None
    if "--screenshot" in argv:
        i = argv.index("--screenshot")
        shot = Path(argv[i + 1])
        del argv[i : i + 2]
    root = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="safeaug-review-"))
    films, labels = write_films(root / "films")
    import yaml

    (root / "labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    page = root / "page"
    config = os.path.relpath(HERE / "train.yaml")  # as the page and the policy will name it
    args = ["review", config, "--policy", "chest_xray", "--images", *map(str, films)]
    code = safeaug([*args, "-o", str(page), "--samples", "3", "--labels", str(root / "labels.yaml")])
    if code:
        return code

    def ann(effect: str, magnitude: float) -> str:
        if effect == "rotation":
            return "reject" if abs(magnitude) > 10 else "accept"
        if effect == "gamma":
            return "reject" if magnitude <= 0.8 else "accept"
        return "accept"

    def bo(effect: str, magnitude: float) -> str:
        if effect == "rotation":
            return "reject" if abs(magnitude) > 5 else "accept"
        return ann(effect, magnitude)

    a = reader(ann, "ann", page / "review.yaml", root / "review-ann.yaml")
    b = reader(bo, "bo", page / "review.yaml", root / "review-bo.yaml")
    safeaug(["review", "agreement", str(a), str(b)])
    policy = root / "chest_xray_reviewed.yaml"
    safeaug(["review", "apply", str(a), str(b), "-o", str(policy)])
    print(f"\nsafeaug lint {config} --policy {policy}")
    lint = safeaug(["lint", config, "--policy", str(policy)])
    print(f"\nPage: {page / 'index.html'} (lint exit code {lint}: the review tightened the policy)")
    if shot is not None:
        screenshot(page / "index.html", shot)
    return 0


def screenshot(page: Path, out: Path) -> None:
    """A picture of the page with a few images marked, from a headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1500,1100"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.as_uri())
        driver.find_element("id", "reviewer").send_keys("ann")
        cards = driver.find_elements("css selector", "figure[data-item]")
        for card, decision in zip(cards, ["accept", "accept", "accept", "reject", "accept", "unsure"], strict=False):
            card.find_element("css selector", f"input[value={decision}]").click()
        driver.execute_script("document.querySelectorAll('.row').forEach(r => { r.scrollLeft = 0; }); scrollTo(0, 0);")
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
