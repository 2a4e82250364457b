"""Video calls from a kiosk to a caseworker: the queue, the signaling relay, and the contact they leave."""
