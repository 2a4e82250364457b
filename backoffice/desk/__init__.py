"""The staffed desk: desks, calling numbers, the waiting-room display's board (see backoffice/DESK.md)."""
