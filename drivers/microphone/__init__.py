from drivers.microphone.protocol import Microphone

__all__ = ["Microphone"]
