from drivers.camera.protocol import Camera, Frame

__all__ = ["Camera", "Frame"]
