from drivers.speech.protocol import Speech

__all__ = ["Speech"]
