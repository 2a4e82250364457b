"""The task menu: large pictogram tiles, chosen and ordered by the location's config."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from drivers.health import Health
from kiosk.config import Orientation
from kiosk.i18n import N_, Translator
from kiosk.session import Phase
from kiosk.tasks import TaskOffer, offers
from kiosk.ui.controls import KioskButton, TileButton, label, pictogram
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

DEVICE_NAMES = {  # msgids for the device that keeps a task from running
    "printer": N_("the printer"),
    "camera": N_("the camera"),
    "cardreader": N_("the card reader"),
    "speech": N_("the speaker"),
}


class MenuScreen(Screen):
    phase = Phase.MENU

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.title = label("title", object_name="menuTitle")
        self.tiles: dict[str, TileButton] = {}
        self.notes: dict[str, QLabel] = {}
        self._offers: list[TaskOffer] = []
        self._t: Translator | None = None
        self.grid = QGridLayout()
        self.grid.setSpacing(28)
        columns = 2 if context.config.device.orientation is Orientation.LANDSCAPE else 1
        for index, task_id in enumerate(context.config.device.tasks):
            cell = QVBoxLayout()
            tile = TileButton(object_name=f"tile_{task_id}")
            tile.clicked.connect(lambda _=False, task_id=task_id: self.machine.choose_task(task_id))
            note = label(object_name=f"tileNote_{task_id}")
            note.hide()
            cell.addWidget(tile)
            cell.addWidget(note)
            self.tiles[task_id] = tile
            self.notes[task_id] = note
            self.grid.addLayout(cell, index // columns, index % columns)
        self.settings_button = KioskButton(object_name="settingsButton")
        self.settings_button.clicked.connect(self.machine.open_welcome)
        self.stop_button = KioskButton(object_name="stopButton")
        self.stop_button.clicked.connect(self.machine.finish)

        self.layout_.addWidget(self.title)
        self.layout_.addLayout(self.grid)
        self.layout_.addStretch(1)
        self.layout_.addLayout(button_row(self.settings_button, self.stop_button))
        self.update_health({})

    def update_health(self, health: Mapping[str, Health]) -> None:
        self._offers = offers(self.context.config.device.tasks, health)
        for offer in self._offers:
            self.tiles[offer.task.id].setEnabled(offer.available)
        if self._t is not None:
            self.retranslate(self._t)
        self.apply_theme(self.context.theme)

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.title.setText(t.text("What can we help you with?"))
        for offer in self._offers:
            tile = self.tiles[offer.task.id]
            tile.set_texts(t.text(offer.task.title), t.text(offer.task.subtitle))
            note = self.notes[offer.task.id]
            if offer.available:
                note.hide()
            else:
                device = t.text(DEVICE_NAMES.get(offer.blocked_by, offer.blocked_by))
                note.setText(
                    t.text(
                        "This is not possible now: {device} is not working. A staff member can help you.", device=device
                    )
                )
                note.show()
        self.settings_button.set_label(t.text("Screen settings"))
        self.stop_button.set_label(t.text("Stop"))

    def announcement(self, t: Translator) -> str:
        choices = ", ".join(t.text(o.task.title) for o in self._offers if o.available)
        return t.text("What can we help you with? You can choose: {choices}.", choices=choices)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        for offer in self._offers:
            colour = theme.palette.text if offer.available else theme.palette.muted_text
            self.tiles[offer.task.id].set_pictogram(pictogram(offer.task.pictogram, colour, 192), 96)
        set_pictogram(self.settings_button, "accessibility.svg", theme.palette.text, 44)
        set_pictogram(self.stop_button, "stop.svg", theme.palette.text, 44)

    def first_focus(self) -> QWidget | None:
        return next((tile for tile in self.tiles.values() if tile.isEnabled()), self.stop_button)
