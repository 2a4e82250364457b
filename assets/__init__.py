"""Pictograms, fonts, translation catalogues and invented demo data, shipped with the package."""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
