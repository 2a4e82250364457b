"""The Qt views of the kiosk. Only this package imports PySide6."""
