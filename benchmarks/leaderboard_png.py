"""docs/leaderboard.png, made again: the five runs docs/leaderboard.md shows (the shipped suites
polysemy and wordnet and gensim's WordSim-353, on glove-50d, glove-50d:postprocess=center,
minilm and minilm:layers=1), `harness leaderboard` over them, and the site in headless Chromium.

    python benchmarks/leaderboard_png.py [--out docs/leaderboard.png]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = [
    ("a", ["suites/polysemy.yaml", "wordsim353", "-b", "glove-50d",
           "-b", "glove-50d:postprocess=center"]),
    ("b", ["suites/wordnet.yaml", "-b", "glove-50d", "-b", "glove-50d:postprocess=center"]),
    ("c", ["suites/polysemy.yaml", "suites/wordnet.yaml", "-b", "minilm"]),
    ("d", ["suites/polysemy.yaml", "suites/wordnet.yaml", "wordsim353", "-b", "minilm:layers=1"]),
    ("e", ["wordsim353", "-b", "minilm"]),
]


def harness(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "harness", *args, "-q"], cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "leaderboard.png"))
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        for name, suites in RUNS:
            harness("run", *suites, "-o", str(runs / name), "--no-store")
        harness("leaderboard", str(runs), "-o", str(Path(tmp) / "site"))
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--screenshot={Path(args.out).resolve()}",
                        "--window-size=1100,520", (Path(tmp) / "site" / "index.html").as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
