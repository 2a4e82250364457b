"""Opening hours of this office, from the location's config."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from kiosk.config import WEEKDAYS
from kiosk.i18n import N_, Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

DAY_NAMES = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}


class OpeningHoursScreen(Screen):
    phase = Phase.TASK
    task_id = "opening_hours"

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.title = label("title", object_name="openingHoursTitle")
        grid = QGridLayout()
        grid.setHorizontalSpacing(40)
        self.rows: list[tuple[str, QLabel, QLabel]] = []
        for index, day in enumerate(WEEKDAYS):
            day_label, hours_label = label(wrap=False), label(wrap=False)
            grid.addWidget(day_label, index, 0)
            grid.addWidget(hours_label, index, 1)
            self.rows.append((day, day_label, hours_label))
        self.back_button = KioskButton("primary", object_name="taskBack")
        self.back_button.clicked.connect(self.machine.task_done)
        self.layout_.addWidget(self.title)
        self.layout_.addLayout(grid)
        self.layout_.addStretch(1)
        self.layout_.addLayout(button_row(self.back_button))
        self.apply_theme(context.theme)

    def _hours(self, t: Translator, day: str) -> str:
        hours = self.context.config.opening_hours.get(day, "closed")
        if hours == "closed":
            return t.text("closed")
        start, end = hours.split("-")
        return t.text("{start} to {end}", start=start, end=end)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t.text("Opening hours"))
        for day, day_label, hours_label in self.rows:
            day_label.setText(t.text(DAY_NAMES[day]))
            hours_label.setText(self._hours(t, day))
        self.back_button.set_label(t.text("Back to the menu"))

    def announcement(self, t: Translator) -> str:
        days = ". ".join(f"{t.text(DAY_NAMES[day])}: {self._hours(t, day)}" for day in WEEKDAYS)
        return f"{t.text('Opening hours')}. {days}."

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        set_pictogram(self.back_button, "back.svg", theme.palette.accent_text, 44)

    def first_focus(self) -> QWidget:
        return self.back_button
