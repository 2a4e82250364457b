"""`feedback`: the two questions asked after a video call ("How did it go?", "How are you doing?"),
with the same faces and words (kiosk/ui/screens/call_feedback.py); each may be skipped."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.counter.answers import FeedbackAnswer
from kiosk.counter.requests import FeedbackRequest
from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, TileButton, label, pictogram
from kiosk.ui.counter.step import CounterServices, CounterStep
from kiosk.ui.screens.base import button_row
from kiosk.ui.screens.call_feedback import HOW_ARE_YOU, HOW_DID_IT_GO
from kiosk.ui.theme import Theme


class FeedbackStep(CounterStep):
    kind = "feedback"

    def __init__(self, request: FeedbackRequest, services: CounterServices) -> None:
        super().__init__(request.id, services)
        self._rating: int | None = None
        self.pages = QStackedWidget()
        self.layout_.addWidget(self.pages)

        self.rating_page = QWidget()
        rating = QVBoxLayout(self.rating_page)
        rating.setContentsMargins(0, 0, 0, 0)
        rating.setSpacing(20)
        self.rating_title = label("title", object_name="feedbackTitle")
        self.rating_intro = label(object_name="feedbackIntro")
        grid = QGridLayout()
        grid.setSpacing(20)
        self.smileys: dict[int, TileButton] = {}
        for index, (score, _text, _picture) in enumerate(HOW_DID_IT_GO):
            tile = TileButton(f"feedback_{score}")
            tile.setMinimumHeight(200)
            tile.clicked.connect(lambda _=False, score=score: self._rated(score))
            grid.addWidget(tile, index // 2, index % 2)
            self.smileys[score] = tile
        self.rating_skip = KioskButton(object_name="feedbackSkip")
        self.rating_skip.clicked.connect(lambda: self._rated(None))
        rating.addWidget(self.rating_title)
        rating.addWidget(self.rating_intro)
        rating.addLayout(grid)
        rating.addStretch(1)
        rating.addLayout(button_row(self.rating_skip))

        self.wellbeing_page = QWidget()
        wellbeing = QVBoxLayout(self.wellbeing_page)
        wellbeing.setContentsMargins(0, 0, 0, 0)
        wellbeing.setSpacing(20)
        self.wellbeing_title = label("title", object_name="wellbeingTitle")
        self.wellbeing_intro = label(object_name="wellbeingIntro")
        wellbeing.addWidget(self.wellbeing_title)
        wellbeing.addWidget(self.wellbeing_intro)
        self.wellbeing_choices: dict[str, TileButton] = {}
        for key, _text, _picture in HOW_ARE_YOU:
            tile = TileButton(f"wellbeing_{key}")
            tile.clicked.connect(lambda _=False, key=key: self._finish(key))
            wellbeing.addWidget(tile)
            self.wellbeing_choices[key] = tile
        self.wellbeing_skip = KioskButton(object_name="wellbeingSkip")
        self.wellbeing_skip.clicked.connect(lambda: self._finish(None))
        wellbeing.addStretch(1)
        wellbeing.addLayout(button_row(self.wellbeing_skip))
        for page in (self.rating_page, self.wellbeing_page):
            self.pages.addWidget(page)

    def _rated(self, score: int | None) -> None:
        self._rating = score
        self.pages.setCurrentWidget(self.wellbeing_page)
        self.wellbeing_choices["good"].setFocus()

    def _finish(self, how_are_you: str | None) -> None:
        self.answered.emit(FeedbackAnswer(self.request_id, how_did_it_go=self._rating, how_are_you=how_are_you))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.rating_title.setText(t.text("How did it go?"))
        self.rating_intro.setText(t.text("Tap a face. You do not have to answer."))
        for score, text, _picture in HOW_DID_IT_GO:
            self.smileys[score].set_texts(t.text(text))
        self.rating_skip.set_label(t.text("Skip"))
        self.wellbeing_title.setText(t.text("How are you doing?"))
        self.wellbeing_intro.setText(t.text("So that we can pay attention to it next time. You do not have to answer."))
        for key, text, _picture in HOW_ARE_YOU:
            self.wellbeing_choices[key].set_texts(t.text(text))
        self.wellbeing_skip.set_label(t.text("I would rather not say"))

    def apply_theme(self, theme: Theme) -> None:
        palette = theme.palette
        for score, _text, picture in HOW_DID_IT_GO:
            self.smileys[score].set_pictogram(pictogram(picture, palette.text, 192), 96)
        for key, _text, picture in HOW_ARE_YOU:
            self.wellbeing_choices[key].set_pictogram(pictogram(picture, palette.text, 192), 96)

    def announcement(self) -> str:
        if self.pages.currentWidget() is self.wellbeing_page:
            return f"{self.wellbeing_title.text()} {self.wellbeing_intro.text()}"
        return f"{self.rating_title.text()} {self.rating_intro.text()}"

    def first_focus(self) -> QWidget | None:
        if self.pages.currentWidget() is self.wellbeing_page:
            return self.wellbeing_choices["good"]
        return self.smileys[3]

    def stop(self) -> None:
        self._rating = None
