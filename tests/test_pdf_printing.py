"""`balie printer pdf FILE`: the technician's way to print a PDF, against the simulator on a real pty."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drivers.printer.wire_simulator import WirePrinterSimulator

ROOT = Path(__file__).resolve().parent.parent
PAGE = b"BT /F1 36 Tf 40 700 Td (BALIE TEST 42) Tj ET 4 w 40 560 515 100 re S"  # big text over a box


def balie(*args: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def a4_pdf(pages: int = 1) -> bytes:
    """A plain A4 PDF written out by hand: Helvetica text and a stroked box on every page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(pages))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R >>"
            % (font, 4 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(PAGE), PAGE))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def simulator() -> Iterator[WirePrinterSimulator]:
    with WirePrinterSimulator() as printer:
        yield printer
    assert printer.error is None


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "brief.pdf"
    path.write_bytes(a4_pdf())
    return path


def ink_rows(png: bytes | Path) -> np.ndarray:
    """Each row's share of black dots."""
    image = Image.open(png if isinstance(png, Path) else io.BytesIO(png)).convert("L")
    return (np.asarray(image) < 128).mean(axis=1)


def test_pdf_on_a_port_prints_each_page_and_cuts(simulator: WirePrinterSimulator, tmp_path: Path) -> None:
    path = tmp_path / "brief.pdf"
    path.write_bytes(a4_pdf(pages=2))
    result = balie("printer", "pdf", str(path), "--port", simulator.port)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "brief.pdf printed: 2 pages"
    assert simulator.wait_for_receipts(2, timeout=5)
    for receipt in simulator.receipts:
        assert receipt.cuts == [True] and receipt.images == 1
        rows = ink_rows(receipt.png)
        text = rows[: np.argmax(rows > 0.9)]  # above the box's top edge, a row black across the paper
        assert 0.05 < text.max() < 0.8, "the text line above the box"
        assert (rows > 0.9).sum() >= 2, "the box's top and bottom edges"


def test_pdf_without_config_prints_on_the_simulated_printer_and_saves_its_receipts(
    letter: Path, tmp_path: Path
) -> None:
    out = tmp_path / "receipts"
    result = balie("printer", "pdf", str(letter), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["brief.pdf printed: 1 page", f"receipt 1: {out / 'receipt-001.png'}"]
    rows = ink_rows(out / "receipt-001.png")
    assert (rows > 0.9).sum() >= 2 and rows.max() > 0.9


def test_pdf_with_a_config_prints_on_its_printer(simulator: WirePrinterSimulator, letter: Path, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hardware.printer]\ndriver = "escpos"\noptions = {{ port = "{simulator.port}" }}\n')
    result = balie("printer", "pdf", str(letter), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "brief.pdf printed: 1 page"
    assert simulator.wait_for_receipts(1, timeout=5)
    assert simulator.receipts[0].cuts == [True]


def test_pdf_on_a_printer_out_of_paper_says_so(letter: Path, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[hardware.printer]\ndriver = "simulated"\noptions = { paper = "out" }\n')
    result = balie("printer", "pdf", str(letter), "--config", str(config), "--out", str(tmp_path))
    assert (result.returncode, result.stderr.strip(), result.stdout) == (1, "balie: printer out of paper", "")
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"Dear citizen,\n", "balie: the file is not a PDF"),
        (a4_pdf(pages=6), "balie: the PDF has 6 pages; at most 5 can be printed here"),
        (a4_pdf()[:200], "balie: the file is not a PDF that can be read"),
    ],
    ids=["text", "six-pages", "truncated"],
)
def test_pdf_that_cannot_print_is_one_plain_line(
    simulator: WirePrinterSimulator, tmp_path: Path, content: bytes, line: str
) -> None:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    result = balie("printer", "pdf", str(path), "--port", simulator.port)
    assert (result.returncode, result.stderr.strip()) == (1, line)
    assert "Traceback" not in result.stderr
    assert simulator.received_bytes == 0, "nothing reached the printer"


def test_pdf_file_missing_or_options_mixed_up(tmp_path: Path, letter: Path) -> None:
    missing = balie("printer", "pdf", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"balie: cannot read {tmp_path / 'nope.pdf'}: No such file or directory"
    both = balie("printer", "pdf", str(letter), "--port", "/dev/null", "--config", "kiosk.toml")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text('[hardware.printer]\ndriver = "laser"\n')
    config_error = balie("printer", "pdf", str(letter), "--config", str(bad_config))
    assert config_error.returncode == 2 and config_error.stderr.startswith("balie: config error:")
