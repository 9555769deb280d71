"""Hostile spreadsheets against the reader every import uses: CPU time and peak memory of each,
as a ratio to an honest 2,000-article XLSX read in the same run.

    .venv/bin/python bench/upload_bombs.py

Each file is read in a process of its own (peak memory is per process): opened with
``open_table`` and read to the end, or refused with the reason.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
sys.path.insert(0, str(ROOT))
from rss import peak_rss_mb  # noqa: E402  (bench/, beside this script)


def xlsx(rows_xml: str, strings) -> bytes:
    from tests.test_upload_limits import PARTS  # the same hand-written package as the tests

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr("xl/sharedStrings.xml", f"<sst {NS}>{items}</sst>")
        sheet = f"<worksheet {NS}><sheetData>{rows_xml}</sheetData></worksheet>"
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def cell(ref, index):
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


HEADER = f'<row r="1">{cell("A1", 0)}{cell("B1", 1)}{cell("C1", 2)}</row>'


def honest(rows=2000):
    body = "".join(
        f'<row r="{r}">{cell(f"A{r}", 4 + 2 * r)}{cell(f"B{r}", 3)}{cell(f"C{r}", 5 + 2 * r)}</row>'
        for r in range(2, rows + 2)
    )
    strings = ["标题", "栏目", "正文", "高新区新闻"]
    for r in range(rows + 2):
        text = "，".join(f"园区{r}号企业第{i}季度产值{r * 37 + i * 11}万元" for i in range(30))
        strings += [f"第{r}篇：园区产业发展报告", f"<p>{text}。</p>"]
    return xlsx(HEADER + body, strings)


def files(folder: Path) -> dict[str, Path]:
    names = ["标题", "栏目", "正文"]
    stretched = "".join(
        f'<row r="{r}">{cell(f"A{r}", 0)}<c r="XFD{r}"/></row>' for r in range(2, 2002)
    )
    made = {
        "honest 2,000 articles (baseline)": ("honest.xlsx", honest()),
        "200,000 shared strings": ("strings.xlsx", xlsx(HEADER, [*names, *["x"] * 200_000])),
        "2,000,000 shared strings": ("strings2m.xlsx", xlsx(HEADER, [*names, *["x"] * 2_000_000])),
        "2,000 rows stretched to column XFD": ("wide.xlsx", xlsx(HEADER + stretched, names)),
    }
    paths = {}
    for label, (name, data) in made.items():
        paths[label] = folder / name
        paths[label].write_bytes(data)
    csv = folder / "oneline.csv"
    csv.write_bytes(b"title,category\n" + b"a" * (50 * 1024 * 1024) + b",x\n")
    paths["50 MB one-line CSV"] = csv
    return paths


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
    import django

    django.setup()


def read_one(path: str) -> None:
    from articles.import_columns import COLUMNS
    from hitech_portal.imports.report import FileError
    from hitech_portal.imports.tables import open_table

    start = time.process_time()
    with open(path, "rb") as binary:
        try:
            outcome = f"read {sum(1 for _ in open_table(binary, COLUMNS, name=path))} rows"
        except FileError as error:
            outcome = "refused: " + error.errors[0].message[:50]
    cpu = time.process_time() - start
    peak = int(peak_rss_mb())
    print(f"{cpu:.3f}\t{peak}\t{outcome}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] in ("--read", "--make"):
        setup()
        if sys.argv[1] == "--read":
            return read_one(sys.argv[2])
        for label, path in files(Path(sys.argv[2])).items():
            print(f"{label}\t{path}")
        return
    # Files are made and read in processes of their own: peak memory survives exec on Linux.
    with tempfile.TemporaryDirectory() as folder:
        made = subprocess.run([sys.executable, __file__, "--make", folder], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        results = {}
        for line in made.strip().splitlines():
            label, path = line.split("\t")
            path = Path(path)
            out = subprocess.run([sys.executable, __file__, "--read", str(path)], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
            cpu, peak, outcome = out.strip().split("\t")
            results[label] = (path.stat().st_size, float(cpu), int(peak), outcome)
    base_cpu = max(results["honest 2,000 articles (baseline)"][1], 0.001)
    print(f"{'file':<38} {'size':>9} {'CPU ×base':>9} {'peak MB':>8}  outcome")
    for label, (size, cpu, peak, outcome) in results.items():
        print(f"{label:<38} {size / 1024:>7.0f}KB {cpu / base_cpu:>9.2f} {peak:>8}  {outcome}")
    print(f"(baseline CPU {base_cpu:.2f} s on this machine)")


if __name__ == "__main__":
    main()
