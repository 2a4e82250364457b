"""The counter device's logic without Qt: the link to the desk and what travels over it (backoffice/DESK.md)."""
