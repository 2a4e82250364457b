"""One topic's expected wait on the wall: its letter (as on the ticket), its name, and the wait in
the largest type, since "how long" is what someone looking up wants to know."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from kiosk.display.board import TopicWait


def wait_lines(wait: TopicWait) -> tuple[str, str]:
    """(headline, detail) for a topic's wait, Dutch first and English after."""
    if wait.waiting == 0:
        return "Geen wachtrij", "No queue"
    if wait.expected_minutes is None:  # people waiting, no estimate yet today
        return f"{wait.waiting} wachtend", f"{wait.waiting} waiting"
    return f"± {wait.expected_minutes} min", f"{wait.waiting} wachtend · waiting"


def _part(name: str, role: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("role", role)
    # Given its width by the row of tiles: a long topic name is cut, never widening the screen.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class WaitTile(QFrame):
    def __init__(self, topic: str, name: str) -> None:
        super().__init__()
        self.setObjectName(f"wait_{topic}")
        self.letter = QLabel(topic)
        self.letter.setObjectName("wait_letter")
        self.letter.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.name = _part("wait_name", "wait_name")
        self.name.setText(name)
        self.headline = _part("wait_headline", "wait_headline")
        self.detail = _part("wait_detail", "wait_detail")
        lines = QVBoxLayout()
        lines.setSpacing(0)
        lines.addWidget(self.name)
        lines.addWidget(self.headline)
        lines.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(self.letter)
        row.addLayout(lines, 1)

    def show_wait(self, wait: TopicWait) -> None:
        headline, detail = wait_lines(wait)
        self.headline.setText(headline)
        self.detail.setText(detail)
