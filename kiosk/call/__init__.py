"""The kiosk's video call with a caseworker (WebRTC through aiortc, on its own asyncio thread).

Nothing here imports Qt: the call screen pulls pictures and state from these modules, as
other screens do from the session machine. Importing this package loads no aiortc, so the
kiosk's start-up does not pay for calls until one begins.
"""
