"""The few controls every screen is built from, with kiosk behaviour built in.

Enter activates a button (a tactile navigation keypad sends Enter, not Space), every
control carries an accessible name, and sizes come from the theme so that touch
targets stay at least 9 mm whatever the text size.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

PICTOGRAM_DIR = Path(__file__).resolve().parents[2] / "assets" / "pictograms"


class KioskButton(QPushButton):
    def __init__(self, role: str = "", parent: QWidget | None = None, *, object_name: str = "") -> None:
        super().__init__(parent)
        if role:
            self.setProperty("role", role)
        if object_name:
            self.setObjectName(object_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_label(self, text: str, accessible_description: str = "") -> None:
        """Visible text and accessible name move together, so they can never disagree."""
        self.setText(text)
        self.setAccessibleName(text.replace("\n", " "))
        self.setAccessibleDescription(accessible_description)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.click()
            event.accept()
            return
        super().keyPressEvent(event)


class TileButton(KioskButton):
    """A button whose texts wrap: pictogram, title and an optional line of explanation.

    QPushButton cannot wrap its text, and with large text a label must wrap rather than
    be cut off; so the texts are labels inside the button that let taps through. Menu
    tiles use it with role "tile", long one-line choices with role "wide".
    """

    def __init__(self, object_name: str, role: str = "tile") -> None:
        super().__init__(role, object_name=object_name)
        row = self._row = QHBoxLayout(self)
        margin = 28 if role == "tile" else 20
        row.setContentsMargins(margin, 12, margin, 12)
        row.setSpacing(28)
        self.icon_label = QLabel()
        self.title = label("tileTitle")
        self.subtitle = label("tileSubtitle")
        texts = QVBoxLayout()
        texts.setSpacing(6)
        texts.addWidget(self.title)
        texts.addWidget(self.subtitle)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(texts, 1)
        for child in (self.icon_label, self.title, self.subtitle):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)

    def set_texts(self, title: str, subtitle: str = "") -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self.subtitle.setVisible(bool(subtitle))
        self.setAccessibleName(title)
        self.setAccessibleDescription(subtitle)

    def set_pictogram(self, icon: QIcon, size: int) -> None:
        self.icon_label.setPixmap(icon.pixmap(size, size))

    def sizeHint(self) -> QSize:
        return self._row.sizeHint().expandedTo(super().sizeHint())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.minimumHeight(), self._row.heightForWidth(width))


def label(role: str = "", *, wrap: bool = True, object_name: str = "") -> QLabel:
    widget = QLabel()
    if role:
        widget.setProperty("role", role)
    if object_name:
        widget.setObjectName(object_name)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


@cache
def _svg(name: str) -> bytes:
    return (PICTOGRAM_DIR / name).read_bytes()


def pictogram(name: str, colour: str, size: int) -> QIcon:
    """A pictogram drawn in the theme's colour (the SVGs use `currentColor`)."""
    svg = _svg(name).replace(b"currentColor", colour.encode())
    renderer = QSvgRenderer(QByteArray(svg))
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return QIcon(pixmap)
