"""The counter device's screens: the citizen's side of a staffed desk (backoffice/DESK.md)."""
