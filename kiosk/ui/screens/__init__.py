"""One module per screen; each is a view of a session phase."""
