from drivers.audio_output.protocol import AudioOutput

__all__ = ["AudioOutput"]
