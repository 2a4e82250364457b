"""The tasks a kiosk can offer, and whether each can run with the devices as they are.

A location chooses its tasks and their order in config (`device.tasks`); this
catalogue says what each needs, so that a missing device hides or explains a task
instead of letting it fail halfway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drivers.health import Health
from kiosk.i18n import N_


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    title: str  # msgid
    subtitle: str  # msgid
    pictogram: str  # file name in assets/pictograms
    needs: tuple[str, ...] = ()  # devices that must be usable
    wants: tuple[str, ...] = ()  # devices that improve it but are not required


TASKS: dict[str, Task] = {
    "checkin": Task(
        id="checkin",
        title=N_("I have an appointment"),
        subtitle=N_("Report that you are here"),
        pictogram="calendar.svg",
        wants=("printer",),
    ),
    "ticket": Task(
        id="ticket",
        title=N_("Take a number"),
        subtitle=N_("Wait your turn at the counter"),
        pictogram="ticket.svg",
        needs=("printer",),
    ),
    "scan": Task(
        id="scan",
        title=N_("Hand in a document"),
        subtitle=N_("Show your papers to the camera"),
        pictogram="document.svg",
        needs=("camera",),
        wants=("printer",),
    ),
    "identify": Task(
        id="identify",
        title=N_("Identify"),
        subtitle=N_("With your passport or ID card"),
        pictogram="id-card.svg",
        needs=("cardreader",),
    ),
    "opening_hours": Task(
        id="opening_hours",
        title=N_("Opening hours"),
        subtitle=N_("When is this office open?"),
        pictogram="clock.svg",
    ),
}


@dataclass(frozen=True, slots=True)
class TaskOffer:
    """A task as the menu shows it now."""

    task: Task
    available: bool
    blocked_by: str = ""  # device name that makes it unavailable


def offers(task_ids: list[str], health: Mapping[str, Health]) -> list[TaskOffer]:
    result = []
    for task_id in task_ids:
        task = TASKS[task_id]
        blocked = next(
            (device for device in task.needs if not health.get(device, Health.missing("unknown")).usable),
            "",
        )
        result.append(TaskOffer(task, available=not blocked, blocked_by=blocked))
    return result
