"""The call: the caseworker's picture large, the citizen's own small, and a few big controls.

What the caseworker asks of the kiosk appears here: a message in large type (and spoken), a
document being printed, "lay your document on the reader", "hold up your page". The call goes on
meanwhile; the caseworker hears and sees the citizen throughout. When the line drops, the screen
says so plainly while the engine repairs it; a missing camera or microphone is said in words too,
so the citizen knows what the caseworker can and cannot perceive.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.call.services import CallPhase
from kiosk.i18n import N_, Translator
from kiosk.session import Phase
from kiosk.ui.call_chat import CallChatPanel
from kiosk.ui.call_identity import CallIdentityPanel
from kiosk.ui.call_scan import CallScanPanel
from kiosk.ui.call_service import CallNews, CallRequest, RequestKind
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.printing import PrintJob, PrintOutcome
from kiosk.ui.remote_feed import FittedView, OwnPictureFeed, RemoteFeed
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

VOLUME_STEP = 0.1
BUSY = "the kiosk is busy with another request of the caseworker"
PRINTING = N_("The staff member is sending you a document. It is being printed…")
PRINTED = N_("Take your document from the printer.")
NOT_PRINTED = N_("The document could not be printed. The staff member knows this.")
TOLD = N_("We have told the staff member that you cannot hear them.")
SENT = N_("Thank you. Your details have gone to the staff member. Take your document from the reader.")
PAGES_SENT = N_("Thank you. The staff member has your pages.")


class CallScreen(Screen):
    phase = Phase.IN_CALL

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.layout_.setSpacing(16)
        self.layout_.setContentsMargins(32, 32, 32, 24)
        self._t = Translator.for_language(self.machine.language)
        self._news: CallNews | None = None
        self._notice: tuple[str, str] | None = None  # (msgid, or the caseworker's own text)
        self._busy: CallRequest | None = None  # the identity or scan request on screen
        self._printing: CallRequest | None = None
        self._print_job: PrintJob | None = None  # kept: a job nobody holds loses its signal
        flow = context.call

        self.title = label("subtitle", object_name="callTitle")
        self.notice = label("notice", object_name="callNotice")
        self.notice_ok = KioskButton(object_name="callNoticeOk")
        self.notice_ok.clicked.connect(self._dismiss_notice)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.notice_ok, 0, Qt.AlignmentFlag.AlignVCenter)

        self.pages = QStackedWidget()
        # Not the tallest panel's height as this screen's minimum (that would stretch the window past
        # the screen with large text): a panel gets the room the hidden sound controls leave it.
        self.pages.setMinimumHeight(360)
        self.video_page = QWidget()
        video = QVBoxLayout(self.video_page)
        video.setContentsMargins(0, 0, 0, 0)
        self.remote_view = FittedView("callRemoteView")
        self.self_view = FittedView("callSelfView")
        self.self_view.setMinimumHeight(180)
        self.self_view.setFixedSize(240, 180)
        self.devices_note = label("notice", object_name="callDevicesNote")
        own = QHBoxLayout()
        own.addWidget(self.self_view)
        own.addWidget(self.devices_note, 1)
        # Without a microphone the citizen answers in writing; the caseworker's lines appear here too.
        self.chat = CallChatPanel()
        self.chat.send_requested.connect(self._send_chat)
        self.chat.hide()
        video.addWidget(self.remote_view, 1)
        video.addLayout(own)
        video.addWidget(self.chat)
        self.identity_panel = CallIdentityPanel(context.identity)
        self.identity_panel.identified.connect(self._identified)
        self.identity_panel.declined.connect(self._declined)
        self.identity_panel.pages.currentChanged.connect(self._panel_moved)
        self.scan_panel: CallScanPanel | None = None
        for page in (self.video_page, self.identity_panel):
            self.pages.addWidget(page)

        self.softer = KioskButton(object_name="callSofter")
        self.softer.clicked.connect(lambda: self._change_volume(-VOLUME_STEP))
        self.volume = label(wrap=False, object_name="callVolume")
        self.volume.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.louder = KioskButton(object_name="callLouder")
        self.louder.clicked.connect(lambda: self._change_volume(VOLUME_STEP))
        self.cant_hear = KioskButton(object_name="callCantHear")
        self.cant_hear.clicked.connect(self._cant_hear)
        self.sound_row = QWidget()
        sound = QHBoxLayout(self.sound_row)
        sound.setContentsMargins(0, 0, 0, 0)
        sound.setSpacing(16)
        for widget in (self.softer, self.volume, self.louder):
            sound.addWidget(widget, 1 if widget is not self.volume else 0)
        self.end_button = KioskButton("help", object_name="callEnd")
        self.end_button.setMinimumHeight(120)
        self.end_button.clicked.connect(self._end)

        self.layout_.addWidget(self.title)
        self.layout_.addLayout(notice_row)
        self.layout_.addWidget(self.pages, 1)
        self.layout_.addWidget(self.sound_row)
        self.layout_.addLayout(button_row(self.cant_hear, self.end_button))

        self.feed: OwnPictureFeed | None = None
        self.remote_feed: RemoteFeed | None = None
        if flow is not None:
            service = flow.service
            self.feed = OwnPictureFeed(service.camera.user())
            self.feed.picture.connect(self.self_view.show_image)
            self.feed.fit_to(self.self_view)
            self.remote_feed = RemoteFeed(lambda: service.remote)
            self.remote_feed.picture.connect(self.remote_view.show_image)
            self.remote_feed.fit_to(self.remote_view)
            self.scan_panel = CallScanPanel(service.camera.user())
            self.scan_panel.scanned.connect(self._scanned)
            self.scan_panel.declined.connect(self._declined)
            self.scan_panel.pages.currentChanged.connect(self._panel_moved)
            self.pages.addWidget(self.scan_panel)
            flow.changed.connect(self._on_news)
            flow.request_ready.connect(self._on_request)
            flow.request_withdrawn.connect(self._on_withdrawn)
            self._news = flow.latest
        self._hide_notice()
        self.apply_theme(context.theme)

    # -- the call's state --------------------------------------------------------------------
    def _on_news(self, news: CallNews) -> None:
        was = self._news.update.phase if self._news is not None else None
        self._news = news
        self._show_state()
        moved = news.update.phase is not was and news.update.phase in (CallPhase.RECONNECTING, CallPhase.CONNECTED)
        if moved and self.isVisible():
            self.say_if_read_aloud(self.title.text())

    def _show_state(self) -> None:
        t, news = self._t, self._news
        update = news.update if news is not None else None
        reconnecting = update is not None and update.phase is CallPhase.RECONNECTING
        if reconnecting:
            self.title.setText(t.text("The connection is gone. We are trying to connect again…"))
            self.remote_view.set_message(t.text("One moment, please"))
        else:
            self.title.setText(t.text("You are talking with a staff member."))
            self.remote_view.set_message("")
        video = update is None or update.video
        microphone = news is None or news.microphone
        if not video and not microphone:
            note = t.text("There is no camera and no microphone. The staff member cannot see or hear you.")
        elif not video:
            note = t.text("There is no camera. The staff member cannot see you, but can hear you.")
        elif not microphone:
            note = t.text("There is no microphone. The staff member can see you, but cannot hear you.")
        else:
            note = ""
        self.devices_note.setText(note)
        self.devices_note.setVisible(bool(note))
        self.chat.setVisible(not microphone)
        self.self_view.setVisible(video)
        self.remote_view.setAccessibleName(t.text("The staff member"))
        self.self_view.setAccessibleName(t.text("Your own picture"))
        self._show_volume()

    def _show_volume(self) -> None:
        flow = self.context.call
        level = round((flow.service.volume if flow is not None else 0.8) * 10)
        self.volume.setText(self._t.text("Volume {level} of 10", level=level))
        self.volume.setAccessibleName(self.volume.text())
        self.softer.setEnabled(level > 1)
        self.louder.setEnabled(level < 10)

    def _change_volume(self, step: float) -> None:
        flow = self.context.call
        if flow is not None:
            flow.service.set_volume(max(0.1, flow.service.volume + step))
        self._show_volume()

    def _cant_hear(self) -> None:
        if self.context.call is not None:
            self.context.call.service.cant_hear()
        self._set_notice(TOLD)
        self.say_if_read_aloud(self.notice.text())

    def _send_chat(self, text: str) -> None:
        if self.context.call is not None:
            self.context.call.service.send_chat(text)

    def _end(self) -> None:
        """The citizen hangs up; the engine's "ended" moves the session on (to the feedback)."""
        self.end_button.setEnabled(False)
        if self.context.call is not None:
            self.context.call.service.end_call()

    # -- the caseworker's requests -----------------------------------------------------------
    def _on_request(self, request: CallRequest) -> None:
        kind = request.kind
        if kind is RequestKind.MESSAGE:
            text = str(request.payload)
            self._set_notice("", text)
            self.chat.add_incoming(text)
            if self.context.speak is not None:  # always: the caseworker meant it to be heard
                self.context.speak(text)
            request.succeed()
        elif kind is RequestKind.PRINT:
            self._print(request)
        elif self._busy is not None and not self._busy.finished:
            request.fail(BUSY)
        elif kind is RequestKind.IDENTITY:
            self._busy = request
            self.identity_panel.begin()
            self._show_page(self.identity_panel)
        elif kind is RequestKind.SCAN and self.scan_panel is not None:
            self._busy = request
            self.scan_panel.begin()
            self._show_page(self.scan_panel)
        else:
            request.fail("the kiosk cannot do this")

    def _print(self, request: CallRequest) -> None:
        printing = self.context.printing
        if printing is None:
            request.fail("the kiosk has no printer")
            return
        if self._print_job is not None:
            request.fail("the kiosk is printing another document")
            return
        self._printing = request
        self._set_notice(PRINTING)
        self.say_if_read_aloud(self.notice.text())
        self._print_job = printing.submit(request.payload, "caseworker document", self._printed)

    def _printed(self, outcome: PrintOutcome) -> None:
        request, self._printing, self._print_job = self._printing, None, None
        if request is None:
            return  # the call ended meanwhile; the request was answered then
        if outcome.printed:
            request.succeed()
        else:
            request.fail(f"the printer: {outcome.reason}")
        self._set_notice(PRINTED if outcome.printed else NOT_PRINTED)
        if self.context.speak is not None:  # the paper is there, or is not: say it, whoever reads
            self.context.speak(self.notice.text())

    def _identified(self, identity: object) -> None:
        request, self._busy = self._busy, None
        if request is not None:
            request.succeed(identity)
        self._show_page(self.video_page)
        self._set_notice(SENT)
        self.say_if_read_aloud(self.notice.text())

    def _scanned(self, pages: object) -> None:
        request, self._busy = self._busy, None
        if request is not None:
            request.succeed(pages)
        self._show_page(self.video_page)
        self._set_notice(PAGES_SENT)
        self.say_if_read_aloud(self.notice.text())

    def _declined(self, reason: str) -> None:
        request, self._busy = self._busy, None
        if request is not None:
            request.fail(reason)
        self._show_page(self.video_page)

    def _on_withdrawn(self, request: CallRequest) -> None:
        if request is self._busy:
            self._busy = None
            self.identity_panel.clear()
            if self.scan_panel is not None:
                self.scan_panel.clear()
            self._show_page(self.video_page)

    def _show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        # A panel needs the room (a keyboard, with large text); "End call" below says the call goes on.
        for control in (self.sound_row, self.cant_hear, self.title):
            control.setVisible(page is self.video_page)
        self._panel_moved()

    def _panel_moved(self, _index: int = 0) -> None:
        """A step of the identity or scan panel: focus its first control, say it for those who asked."""
        page = self.pages.currentWidget()
        if page is self.identity_panel:
            focus, spoken = self.identity_panel.first_focus(), self.identity_panel.announcement()
        elif self.scan_panel is not None and page is self.scan_panel:
            focus, spoken = self.scan_panel.first_focus(), self.scan_panel.announcement()
        else:
            focus, spoken = self.end_button, ""
        if focus is not None and self.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        if spoken and self.isVisible():
            self.say_if_read_aloud(spoken)

    # -- notices: the caseworker's message, a print, "we told them" ------------------------------
    def _set_notice(self, msgid: str, text: str = "") -> None:
        self._notice = (msgid, text)
        self.notice.setText(self._t.text(msgid) if msgid else text)
        self.notice.show()
        self.notice_ok.show()

    def _hide_notice(self) -> None:
        self._notice = None
        self.notice.clear()
        self.notice.hide()
        self.notice_ok.hide()

    def _dismiss_notice(self) -> None:
        self._hide_notice()
        self.end_button.setFocus()

    # -- the screen's hooks ------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.end_button.setEnabled(True)
        if self.feed is not None and (self._news is None or self._news.update.video):
            self.feed.start()
        if self.remote_feed is not None:
            self.remote_feed.start()
        self._show_state()

    def hideEvent(self, event: QHideEvent) -> None:
        self._stop_feeds()
        self.chat.clear()  # the screen goes when the call ends: what was typed goes with it
        self.identity_panel.clear()
        if self.scan_panel is not None:
            self.scan_panel.clear()  # its camera feed too
        self._show_page(self.video_page)
        self._hide_notice()
        super().hideEvent(event)

    def _stop_feeds(self) -> None:
        """The call's pictures go when the screen goes: nothing of the caseworker or citizen stays."""
        if self.feed is not None:
            self.feed.stop()
        if self.remote_feed is not None:
            self.remote_feed.stop()
        self.remote_view.clear()
        self.self_view.clear()

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.notice_ok.set_label(t.text("OK"))
        self.softer.set_label(t.text("Softer"))
        self.louder.set_label(t.text("Louder"))
        self.cant_hear.set_label(t.text("I cannot hear you"))
        self.end_button.set_label(t.text("End call"))
        self.identity_panel.retranslate(t)
        self.chat.retranslate(t)
        if self.scan_panel is not None:
            self.scan_panel.retranslate(t)
        if self._notice is not None:
            self._set_notice(*self._notice)
        self._show_state()

    def refresh(self) -> None:
        self._show_state()

    def announcement(self, t: Translator) -> str:
        parts = [self.title.text()]
        if self.devices_note.text():
            parts.append(self.devices_note.text())
        return " ".join(parts)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        set_pictogram(self.end_button, "stop.svg", theme.palette.help_text, 56)
        self.identity_panel.apply_theme(theme)
        self.chat.apply_theme(theme)
        self.notice.setStyleSheet(f"font-size: {theme.px(1.5)}px; font-weight: bold;")
        self.title.setStyleSheet(f"font-size: {theme.px(1.3)}px; font-weight: bold; color: {theme.palette.text};")

    def first_focus(self) -> QWidget | None:
        page = self.pages.currentWidget()
        if page is self.identity_panel:
            return self.identity_panel.first_focus()
        if self.scan_panel is not None and page is self.scan_panel:
            return self.scan_panel.first_focus()
        return self.end_button

    def wipe(self) -> None:
        self._stop_feeds()
        self.chat.clear()
        self.identity_panel.clear()
        if self.scan_panel is not None:
            self.scan_panel.clear()
        for request in (self._busy, self._printing):
            if request is not None:
                request.fail("the call has ended")
        self._busy = self._printing = None
        self._hide_notice()
        self._news = None
