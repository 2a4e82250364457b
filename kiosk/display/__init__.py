"""The waiting-room display (role `display`): the board from the backoffice, what to announce and how
it sounds. No Qt here; kiosk/ui/display/ shows it (backoffice/DESK.md, "Display board")."""
