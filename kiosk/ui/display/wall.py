"""The wall screen: the number being called, huge, with its desk; the calls before it; the expected
wait per topic; the time. A view of the latest board and nothing more: it keeps the last board while
the backoffice is unreachable and says so in one quiet line.

Numbers and short codes only, never a name (DESK.md, Privacy): the board carries nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.display.announcement import names_a_desk
from kiosk.display.board import Board, BoardCall, TopicWait
from kiosk.display.poller import Link, LinkState
from kiosk.ui.display.wait_tile import WaitTile
from kiosk.ui.display.wall_style import style_sheet

RECENT_ROWS = 5  # the calls before the current one (the board holds six)
WAIT_COLUMNS_LANDSCAPE = 4
WAIT_COLUMNS_PORTRAIT = 2
HIGHLIGHT_SECONDS = 4.0

EMPTY_NUMBER = "Welkom"
EMPTY_DESK = "Uw nummer verschijnt hier\nYour number will appear here"
UNREACHABLE = "Geen verbinding: laatst bekende stand\nConnection lost: last known state"


def desk_text(desk: str) -> str:
    """ "3" → "Balie 3"; a desk whose name already says it ("Informatiebalie") as it is named."""
    return desk if names_a_desk(desk) else f"Balie {desk}"


def _label(name: str, text: str = "", *, role: str = "", fitted: bool = False) -> QLabel:
    """`fitted`: the layout gives the label its width and long text wraps or is cut, instead of a
    long desk or topic name widening the window past the screen."""
    label = QLabel(text)
    label.setObjectName(name)
    if role:
        label.setProperty("role", role)
    if fitted:
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setWordWrap(True)
    return label


class WallScreen(QWidget):
    """`show_board` and `show_link` from the UI thread (the app's bridge delivers them there)."""

    def __init__(
        self,
        location: str,
        topic_names: Mapping[str, str],
        *,
        now: Callable[[], datetime] = datetime.now,
        highlight_seconds: float = HIGHLIGHT_SECONDS,
    ) -> None:
        super().__init__()
        self.setObjectName("wall")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Balie – wachtkamer")
        self.topic_names = dict(topic_names)
        self._now = now
        self.highlighted = False
        self._shown_id: int | None = None
        self._board: Board | None = None

        self.location = _label("location", location, fitted=True)
        self.link_notice = _label("link_notice", fitted=True)
        self.link_notice.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.link_notice.hide()
        self.clock = _label("clock")
        top = QHBoxLayout()
        top.addWidget(self.location, 1)
        top.addWidget(self.link_notice, 1)
        top.addSpacing(32)
        top.addWidget(self.clock)

        self.current_panel = QFrame()
        self.current_panel.setObjectName("current_panel")
        self.current_heading = _label("current_heading", "Nu aan de beurt · Now serving", role="heading")
        self.current_label = _label("current_label", EMPTY_NUMBER)
        self.current_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.current_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.current_desk = _label("current_desk", "", fitted=True)
        self.current_desk.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.current_tag = _label("current_tag", "Nogmaals · Again")
        self.current_tag.hide()
        current = QVBoxLayout(self.current_panel)
        current.addWidget(self.current_heading, 0, Qt.AlignmentFlag.AlignHCenter)
        current.addStretch(1)
        current.addWidget(self.current_label)
        current.addWidget(self.current_desk)
        current.addWidget(self.current_tag, 0, Qt.AlignmentFlag.AlignHCenter)
        current.addStretch(1)

        self.recent_panel = QFrame()
        self.recent_panel.setObjectName("recent_panel")
        recent = QVBoxLayout(self.recent_panel)
        recent.addWidget(_label("recent_heading", "Eerder geroepen · Called before", role="heading"))
        rows = QGridLayout()
        rows.setColumnStretch(1, 1)
        self.recent_labels: list[QLabel] = []
        self.recent_desks: list[QLabel] = []
        for row in range(RECENT_ROWS):
            number, desk = (
                _label(f"recent_label_{row}", role="recent"),
                _label(f"recent_desk_{row}", role="recent_desk"),
            )
            desk.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            rows.addWidget(number, row, 0)
            rows.addWidget(desk, row, 1)
            self.recent_labels.append(number)
            self.recent_desks.append(desk)
        recent.addLayout(rows)
        recent.addStretch(1)

        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.addWidget(self.current_panel, 3)
        self.middle.addWidget(self.recent_panel, 2)

        self.waits_panel = QFrame()
        self.waits_panel.setObjectName("waits_panel")
        waits = QVBoxLayout(self.waits_panel)
        waits.addWidget(_label("waits_heading", "Verwachte wachttijd · Expected wait", role="heading"))
        self.waits_grid = QGridLayout()
        waits.addLayout(self.waits_grid)
        self._wait_columns = WAIT_COLUMNS_LANDSCAPE
        self.wait_tiles: dict[str, WaitTile] = {}
        self.waits_panel.hide()

        self.outer = QVBoxLayout(self)
        # The screen's size is given (full screen); text sized from it must never push the window larger,
        # which would size the text up again.
        self.outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.outer.addLayout(top)
        self.outer.addLayout(self.middle, 1)
        self.outer.addWidget(self.waits_panel)

        self._highlight_timer = QTimer(self)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.setInterval(round(highlight_seconds * 1000))
        self._highlight_timer.timeout.connect(lambda: self._set_highlight(False))
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._tick()
        self._restyle()
        self._show_current(None)

    # -- what the poller reports ----------------------------------------------------------------

    def show_board(self, board: Board) -> None:
        current = board.current
        if current is not None and current.id != self._shown_id and self._board is not None:
            self._set_highlight(True)  # a new number, not the state found at start-up
            self._highlight_timer.start()
        self._board = board
        self._shown_id = current.id if current is not None else None
        self._show_current(current)
        earlier = board.recent[1 : 1 + RECENT_ROWS]
        for row, (number, desk) in enumerate(zip(self.recent_labels, self.recent_desks, strict=True)):
            call = earlier[row] if row < len(earlier) else None
            number.setText(call.label if call else "")
            desk.setText(desk_text(call.desk) if call else "")
        self._show_waits(board.waits)

    def show_link(self, link: Link) -> None:
        if link.state is LinkState.UNREACHABLE:
            self.link_notice.setText(UNREACHABLE)
        elif link.state is LinkState.REFUSED:
            self.link_notice.setText(f"Dit scherm wordt geweigerd door de server: {link.detail}")
        self.link_notice.setVisible(link.state in (LinkState.UNREACHABLE, LinkState.REFUSED))

    # -- drawing --------------------------------------------------------------------------------

    def _show_current(self, call: BoardCall | None) -> None:
        self.current_label.setText(call.label if call else EMPTY_NUMBER)
        for label in (self.current_label, self.current_desk):  # the welcome is set smaller than a call
            if label.property("empty") != (call is None):
                label.setProperty("empty", call is None)
                label.style().unpolish(label)
                label.style().polish(label)
        self.current_desk.setText(desk_text(call.desk) if call else EMPTY_DESK)
        self.current_tag.setVisible(call is not None and call.is_recall)

    def _show_waits(self, waits: tuple[TopicWait, ...]) -> None:
        topics = [wait.topic for wait in waits]
        if topics != list(self.wait_tiles):
            for tile in self.wait_tiles.values():
                self.waits_grid.removeWidget(tile)
                tile.hide()
                tile.deleteLater()
            self.wait_tiles = {topic: WaitTile(topic, self.topic_names.get(topic, "")) for topic in topics}
            self._place_waits()
        for wait in waits:
            self.wait_tiles[wait.topic].show_wait(wait)
        self.waits_panel.setVisible(bool(waits))

    def _place_waits(self) -> None:
        for index, tile in enumerate(self.wait_tiles.values()):
            self.waits_grid.removeWidget(tile)
            self.waits_grid.addWidget(tile, index // self._wait_columns, index % self._wait_columns)
        for column in range(max(WAIT_COLUMNS_LANDSCAPE, WAIT_COLUMNS_PORTRAIT)):
            self.waits_grid.setColumnStretch(column, 1 if column < self._wait_columns else 0)

    def _set_highlight(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self._restyle()

    def _restyle(self) -> None:
        short_side = max(1, min(self.width(), self.height()))
        self.setStyleSheet(style_sheet(short_side, highlighted=self.highlighted))
        margin = round(24 * short_side / 1080)
        self.outer.setContentsMargins(margin * 2, margin, margin * 2, margin * 2)
        self.outer.setSpacing(margin)
        self.middle.setSpacing(margin)
        for panel in (self.current_panel, self.recent_panel, self.waits_panel):
            layout = panel.layout()
            if layout is not None:
                layout.setContentsMargins(margin, margin // 2, margin, margin // 2)

    def _tick(self) -> None:
        self.clock.setText(self._now().strftime("%H:%M"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A portrait screen stacks the current call above the earlier ones.
        size = event.size()
        portrait = size.height() > size.width()
        self.middle.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        columns = WAIT_COLUMNS_PORTRAIT if portrait else WAIT_COLUMNS_LANDSCAPE
        if columns != self._wait_columns:
            self._wait_columns = columns
            self._place_waits()
        self._restyle()
        super().resizeEvent(event)
