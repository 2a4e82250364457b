"""Waiting for a caseworker: the place in the queue, an honest wait, the citizen's own picture, Cancel.

The call is already placed when this screen appears (one tap). The estimate is the backoffice's; when
it has none (nobody on duty yet) the screen says it cannot tell rather than guess. The citizen sees
themselves as the caseworker will, so they can sit or stand where they are seen.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from kiosk.call.services import CallPhase
from kiosk.i18n import Translator
from kiosk.session import Phase
from kiosk.ui.call_service import CallNews
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.remote_feed import FittedView, OwnPictureFeed
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme


def wait_text(t: Translator, seconds: int | None) -> str:
    if seconds is None:
        return t.text("We cannot say how long it will take.")
    if seconds < 30:
        return t.text("A staff member will answer soon.")
    minutes = max(1, math.ceil(seconds / 60))
    return t.text("About 1 minute") if minutes == 1 else t.text("About {minutes} minutes", minutes=minutes)


def spoken(*parts: str) -> str:
    """Titles have no full stop on screen; a voice needs one to pause."""
    return " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts if p)


class WaitingScreen(Screen):
    phase = Phase.CALLING

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self._news: CallNews | None = None
        self.title = label("title", object_name="callWaitingTitle")
        self.estimate = label("subtitle", object_name="callEstimate")
        self.self_view = FittedView("callSelfView")
        self.self_caption = label(object_name="callSelfCaption")
        self.self_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cancel_button = KioskButton("primary", object_name="callCancel")
        self.cancel_button.setMinimumHeight(130)
        self.cancel_button.clicked.connect(self.machine.back)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.estimate)
        self.layout_.addWidget(self.self_view, 1)
        self.layout_.addWidget(self.self_caption)
        self.layout_.addLayout(button_row(self.cancel_button))
        self.feed: OwnPictureFeed | None = None
        flow = context.call
        if flow is not None:
            # Its picture made at the view's size off the UI thread: the call may connect meanwhile,
            # and Qt's scaling in paint would hold the GIL the call's thread needs.
            self.feed = OwnPictureFeed(flow.service.camera.user())
            self.feed.picture.connect(self.self_view.show_image)
            self.feed.fit_to(self.self_view)
            flow.changed.connect(self._on_news)
            self._news = flow.latest
        self.apply_theme(context.theme)

    def _on_news(self, news: CallNews) -> None:
        before = (self.title.text(), self.estimate.text())
        self._news = news
        self._show()
        after = (self.title.text(), self.estimate.text())
        if after != before and news.update.phase is CallPhase.WAITING:
            self.say_if_read_aloud(spoken(*after))

    def _camera_ok(self) -> bool:
        camera = self.context.health.get("camera")
        return camera is None or camera.usable

    def _show(self) -> None:
        t, news = self._t, self._news
        update = news.update if news is not None else None
        if update is not None and update.phase is CallPhase.WAITING and update.position is not None:
            if update.position <= 1:
                self.title.setText(t.text("You are first in line"))
            else:
                self.title.setText(t.text("You are number {position} in line", position=update.position))
            self.estimate.setText(wait_text(t, update.estimated_wait_seconds))
        else:
            self.title.setText(t.text("We are calling a staff member…"))
            self.estimate.setText(t.text("Please wait a moment."))
        camera = self._camera_ok() and (update is None or update.video)
        self.self_view.setVisible(camera)
        if camera:
            self.self_caption.setText(t.text("This is how the staff member will see you."))
        else:
            self.self_caption.setText(t.text("There is no camera. The staff member will only hear you."))
        self.self_view.setAccessibleName(t.text("Your own picture"))

    # -- the screen's hooks ------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.feed is not None and self._camera_ok():
            self.feed.start()

    def hideEvent(self, event: QHideEvent) -> None:
        if self.feed is not None:
            self.feed.stop()
        self.self_view.clear()
        super().hideEvent(event)

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.cancel_button.set_label(t.text("Stop calling"))
        self._show()

    def refresh(self) -> None:
        self._show()

    def announcement(self, t: Translator) -> str:
        return spoken(self.title.text(), self.estimate.text(), t.text("To stop, tap Stop calling."))

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        set_pictogram(self.cancel_button, "back.svg", theme.palette.accent_text, 44)

    def first_focus(self) -> QWidget:
        return self.cancel_button

    def wipe(self) -> None:
        if self.feed is not None:
            self.feed.stop()
        self.self_view.clear()
        self._news = None
