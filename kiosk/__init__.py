"""The citizen-facing kiosk: session logic (Qt-free) and its Qt views in `kiosk.ui`."""

__version__ = "0.1.0"
