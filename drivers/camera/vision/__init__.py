"""Image processing for the kiosk's camera tasks, free of Qt."""
