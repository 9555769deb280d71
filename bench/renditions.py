"""How long a big camera photo takes to become renditions, and the memory it needs.

    .venv/bin/python bench/renditions.py [--runs 3] [--width 6000 --height 4000]

Makes a photo-like JPEG (gradients and noise, quality 90) of the given size, then uploads it the
way the library does (the checks of ``images.files``, the content hash, storing the original,
``generate_renditions``: 4 widths × 2 shapes × WebP and JPEG) in a fresh process per run, so each
run's peak RSS (``VmHWM``, Django loaded included) is its own. The baseline, in the same run
and interleaved, is the same work decoding the JPEG at full size (``Image.draft`` switched off),
as a plain Pillow resize would. Prints each run, then medians and the ratio to the baseline.
Files go to a temporary MEDIA_ROOT that is removed afterwards.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rss import peak_rss_mb  # noqa: E402  (bench/, beside this script)


def photo(width: int, height: int) -> bytes:
    from PIL import Image, ImageChops

    gradient = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ],
    )
    noise = Image.effect_noise((width, height), 48).convert("RGB")
    picture = ImageChops.blend(gradient, noise, 0.25)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def child(path: str, mode: str) -> None:
    """One upload, in this process: prints seconds and peak RSS in MB."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitech_portal.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import JpegImagePlugin

    from images.files import content_hash, inspect
    from images.models import Image
    from images.renditions import generate_renditions

    if mode == "full-decode":
        JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None  # every pixel
    content = Path(path).read_bytes()
    loaded_mb = peak_rss_mb()
    upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    started = time.perf_counter()
    inspect(upload)
    image = Image(alt="bench", sha256=content_hash(upload))
    image.file.save("photo.jpg", upload, save=False)
    listing = generate_renditions(image)
    elapsed = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    files = sum(len(sizes) for key, sizes in listing.items() if key != "key") * 2
    print(f"{elapsed:.3f} {peak_mb:.1f} {files} {loaded_mb:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    with tempfile.TemporaryDirectory() as media:
        source = Path(media) / "source.jpg"
        source.write_bytes(photo(args.width, args.height))
        print(f"{args.width}×{args.height} JPEG, {source.stat().st_size / 1e6:.1f} MB, "
              f"{os.cpu_count()} cores")  # fmt: skip
        env = {**os.environ, "MEDIA_ROOT": str(Path(media) / "media")}
        results: dict[str, list[tuple[float, float]]] = {"library": [], "full-decode": []}
        for run in range(args.runs):
            for mode in ("library", "full-decode") if run % 2 == 0 else ("full-decode", "library"):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(source), mode],
                    env=env, capture_output=True, text=True, check=True,
                ).stdout.split()  # fmt: skip
                seconds, peak, files, loaded = (
                    float(out[0]),
                    float(out[1]),
                    int(out[2]),
                    float(out[3]),
                )
                results[mode].append((seconds, peak))
                print(
                    f"run {run + 1} {mode:12} {seconds:6.2f} s  peak RSS {peak:6.1f} MB "
                    f"(Django loaded, before the upload: {loaded:.1f} MB)  {files} files"
                )
        print()
        medians = {}
        for mode, rows in results.items():
            medians[mode] = (
                statistics.median(r[0] for r in rows),
                statistics.median(r[1] for r in rows),
            )
            print(
                f"median {mode:12} {medians[mode][0]:6.2f} s  peak RSS {medians[mode][1]:6.1f} MB"
            )
        lib, base = medians["library"], medians["full-decode"]
        print(
            f"library / full-decode: time {lib[0] / base[0]:.2f}×, peak RSS {lib[1] / base[1]:.2f}×"
        )
        print(f"targets: < 3 s {'met' if lib[0] < 3 else 'MISSED'}, "
              f"< 300 MB {'met' if lib[1] < 300 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
