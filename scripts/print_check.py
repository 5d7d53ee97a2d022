"""Print the HTML report of shipped cases to PDF in headless Chromium and count the pages.

    python scripts/print_check.py                       # seed patient 1, A4 and Letter, at most 4 pages
    python scripts/print_check.py cases/*.yaml --max-pages 6 --keep out/

Needs Debian's chromium (`apt-get install chromium`); exits 2 when it is absent, 1 when a
report prints to more pages than --max-pages, 0 otherwise. The test suite runs it for seed
patient 1 when chromium is on the PATH (tests/test_print.py) and skips otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAPERS = {"A4": "A4", "Letter": "letter"}
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")


def chromium() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None)


def report(case: Path) -> str:
    """The --export HTML report of a case, as `netadvisor advise CASE --export x.html` writes it."""
    sys.path.insert(0, str(ROOT))
    from netadvisor.core import advise_file
    from netadvisor.formats import as_html

    return as_html.render(advise_file(case), "print check")


def pages(pdf: Path) -> int:
    """The page count of a PDF: pdfinfo's when poppler is installed, else the /Type /Page objects."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        found = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if found:
            return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def print_pdf(html: str, paper: str, folder: Path, browser: str) -> Path:
    """Print the page on one paper size (an @page size rule added for the run) to a PDF in folder."""
    page = folder / f"report-{paper}.html"
    page.write_text(html.replace("</style>", f"@page{{size:{PAPERS[paper]}}}</style>", 1), encoding="utf-8")
    pdf = folder / f"report-{paper}.pdf"
    profile = folder / f"profile-{paper}"
    subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    if not pdf.exists():
        raise RuntimeError(f"chromium wrote no PDF for {page}")
    return pdf


def check(cases: list[Path], max_pages: int, keep: Path | None = None) -> dict:
    """{(case, paper): pages} for every case on A4 and Letter."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            html = report(case)
            for paper in PAPERS:
                folder = Path(tmp) / case.stem
                folder.mkdir(exist_ok=True)
                pdf = print_pdf(html, paper, folder, browser)
                counts[(case.name, paper)] = pages(pdf)
                if keep:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copy(pdf, keep / f"{case.stem}-{paper}.pdf")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", type=Path, default=[ROOT / "cases" / "seed-patient-1.yaml"])
    parser.add_argument("--max-pages", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="Copy the PDFs to this folder.")
    args = parser.parse_args()
    try:
        counts = check(args.cases, args.max_pages, args.keep)
    except FileNotFoundError as exc:
        print(f"print_check: {exc}", file=sys.stderr)
        return 2
    worst = 0
    for (case, paper), n in counts.items():
        print(f"{case:45} {paper:7} {n} page{'s' if n != 1 else ''}{'  TOO LONG' if n > args.max_pages else ''}")
        worst = max(worst, n)
    return 1 if worst > args.max_pages else 0


if __name__ == "__main__":
    sys.exit(main())
