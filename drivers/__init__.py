"""Hardware behind small interfaces: camera, card reader, printer, speech.

Nothing outside this package imports cv2, smartcard or serial. Each device has a
Protocol, a simulator that speaks the device's real protocol, and an "unavailable"
stand-in; `drivers.registry` picks one per device from configuration.
"""

from drivers.health import Health, HealthState

__all__ = ["Health", "HealthState"]
