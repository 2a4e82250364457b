"""The waiting-room display as `balie kiosk` builds it for `role = "display"`, offscreen, polling a
loopback server that speaks DESK.md's board: the number and its desk on the wall, the chime and the
spoken call in the speech log, a brief highlight for a new number, and a quiet "connection lost" that
keeps the last board."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.speech.recorder import Utterance
from kiosk.config import BackofficeSettings, KioskConfig, Role, default_config
from kiosk.display.board import Board, parse_board
from kiosk.display.poller import Link, LinkState
from kiosk.ui.display.app import Display, build_display
from kiosk.ui.display.wall import EMPTY_NUMBER, UNREACHABLE, WallScreen
from kiosk.ui.display.wall_style import WALL
from tests.display.board_server import TOKEN, BoardServer
from tests.display.heard_sound import CHIME_SAMPLES, SpeechAfterSound
from tests.live_backoffice import ROOT, CuttableProxy


@pytest.fixture
def server() -> Iterator[BoardServer]:
    running = BoardServer()
    yield running
    running.close()


@pytest.fixture
def proxy(server: BoardServer) -> Iterator[CuttableProxy]:
    running = CuttableProxy(server.port)
    yield running
    running.close()


def display_config(url: str, token: str = TOKEN) -> KioskConfig:
    config = default_config()
    return dataclasses.replace(
        config,
        device=dataclasses.replace(config.device, role=Role.DISPLAY, location="Stadswinkel Centrum"),
        backoffice=BackofficeSettings(url=url, token=token),
    )


@pytest.fixture
def output() -> RecordingAudioOutput:
    return RecordingAudioOutput()


@pytest.fixture
def speech(output: RecordingAudioOutput) -> SpeechAfterSound:
    return SpeechAfterSound(output)


@pytest.fixture
def display(
    qtbot: QtBot, proxy: CuttableProxy, speech: SpeechAfterSound, output: RecordingAudioOutput
) -> Iterator[Display]:
    built = build_display(
        display_config(proxy.url), speech=speech, audio_output=output, interval=0.05, lost_after=2,
        highlight_seconds=0.5,
    )  # fmt: skip
    built.window.show()
    qtbot.waitExposed(built.window)
    built.start()
    yield built
    built.close()


def test_a_call_is_shown_with_its_desk_and_announced_after_the_chime(
    qtbot: QtBot, server: BoardServer, display: Display, speech: SpeechAfterSound, output: RecordingAudioOutput
) -> None:
    wall = display.window
    qtbot.waitUntil(lambda: display.poller.feed.last_id == 0 and len(server.requests) >= 2, timeout=5000)
    assert wall.current_label.text() == EMPTY_NUMBER
    assert not wall.highlighted
    server.waits = [{"topic": "A", "waiting": 4, "expected_minutes": 12}]
    server.call("A042", "3", language="en")

    qtbot.waitUntil(lambda: wall.current_label.text() == "A042", timeout=5000)
    assert wall.current_desk.text() == "Balie 3"
    assert wall.highlighted, "a new number is highlighted"
    tile = wall.wait_tiles["A"]
    assert (tile.letter.text(), tile.name.text(), tile.headline.text(), tile.detail.text()) == (
        "A",
        "Paspoort of ID-kaart",
        "± 12 min",
        "4 wachtend · waiting",
    )
    assert tile.isVisible()
    assert display.announcer.wait_announced(1, timeout=10)
    assert speech.utterances == [Utterance("Nummer A 42, balie 3", "nl"), Utterance("Number A 42, desk 3", "en")]
    assert speech.sound_before == [CHIME_SAMPLES, CHIME_SAMPLES]
    assert output.samples_played == CHIME_SAMPLES
    qtbot.waitUntil(lambda: not wall.highlighted, timeout=3000)

    server.call("K7M", "4", kind="recall")
    qtbot.waitUntil(lambda: wall.current_label.text() == "K7M", timeout=5000)
    assert wall.current_desk.text() == "Balie 4"
    assert wall.current_tag.isVisible()
    assert (wall.recent_labels[0].text(), wall.recent_desks[0].text()) == ("A042", "Balie 3")
    assert wall.recent_labels[1].text() == ""
    assert display.announcer.wait_announced(2, timeout=10)
    assert speech.utterances[2:] == [Utterance("Afspraak K 7 M, balie 4", "nl")]


def test_connection_lost_is_said_quietly_and_the_last_board_stays(
    qtbot: QtBot, server: BoardServer, proxy: CuttableProxy, display: Display, speech: SpeechAfterSound
) -> None:
    wall = display.window
    server.call("B007", "2", age=5)
    qtbot.waitUntil(lambda: wall.current_label.text() == "B007", timeout=5000)
    assert not wall.link_notice.isVisible()

    proxy.cut()
    qtbot.waitUntil(lambda: wall.link_notice.isVisible(), timeout=5000)
    assert wall.link_notice.text() == UNREACHABLE
    assert (wall.current_label.text(), wall.current_desk.text()) == ("B007", "Balie 2")
    server.call("B008", "1", age=300)  # called while the display was offline, long ago
    server.call("B009", "5", age=1)

    proxy.mend()
    qtbot.waitUntil(lambda: not wall.link_notice.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: wall.current_label.text() == "B009", timeout=5000)
    assert wall.recent_labels[0].text() == "B008"
    assert display.announcer.wait_announced(2, timeout=10)
    assert [u.text for u in speech.utterances] == ["Nummer B 7, balie 2", "Nummer B 9, balie 5"]


def test_a_refused_display_says_why_on_the_wall(
    qtbot: QtBot, server: BoardServer, output: RecordingAudioOutput
) -> None:
    speech = SpeechAfterSound(output)
    built = build_display(display_config(server.url, "bd1.revoked.secret"), speech=speech, audio_output=output)
    built.window.show()
    built.start()
    try:
        qtbot.waitUntil(lambda: built.window.link_notice.isVisible(), timeout=5000)
        assert built.window.link_notice.text() == "Dit scherm wordt geweigerd door de server: unknown device token"
        assert built.window.current_label.text() == EMPTY_NUMBER
    finally:
        built.close()


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.2 contrast ratio of two "#rrggbb" colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_meets_wcag_aaa_on_what_it_is_drawn_on() -> None:
    p = WALL
    pairs = [
        (p.text, p.background), (p.text, p.panel), (p.number, p.panel), (p.muted, p.panel),
        (p.muted, p.background), (p.warning, p.background), (p.highlight_text, p.highlight),
    ]  # fmt: skip
    assert [round(contrast(*pair), 1) for pair in pairs if contrast(*pair) < 7.0] == []


def test_balie_kiosk_starts_the_display_for_its_role(tmp_path: Path, server: BoardServer) -> None:
    server.call("A042", "3")
    config = tmp_path / "display.toml"
    config.write_text(
        f'[device]\nrole = "display"\n\n[backoffice]\nurl = "{server.url}"\ntoken = "{TOKEN}"\n', encoding="utf-8"
    )
    shot = tmp_path / "display.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "kiosk", "--config", str(config), "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1920, 1080)
    assert image.pixelColor(5, 5).name() == WALL.background


def busy_board() -> Board:
    def called(call_id: int, label: str, desk: str, kind: str = "call") -> dict[str, object]:
        return {"id": call_id, "label": label, "desk": desk, "kind": kind, "called_at": "2026-11-24T10:02:03Z"}

    recent = [called(9, "C117", "12", "recall"), called(8, "K7M", "4"), called(7, "B031", "2"),
              called(6, "A041", "Informatiebalie"), called(5, "D009", "1"), called(4, "A040", "3")]  # fmt: skip
    waits = [{"topic": t, "waiting": n, "expected_minutes": m} for t, n, m in
             [("A", 14, 35), ("B", 3, 8), ("C", 0, None), ("D", 7, None)]]  # fmt: skip
    return parse_board({"recent": recent, "waits": waits})


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 720)])
def test_a_busy_board_fits_the_screen_it_is_given(qtbot: QtBot, size: tuple[int, int]) -> None:
    """Text sized from the screen must never push the window wider, which would size the text up again."""
    wall = WallScreen(
        "Stadswinkel Centrum", {"A": "Paspoort of ID-kaart"}, now=lambda: datetime(2026, 11, 24, 9, 5, 59)
    )
    qtbot.addWidget(wall)
    wall.resize(*size)
    wall.show()
    qtbot.waitExposed(wall)
    wall.show_board(busy_board())
    wall.show_link(Link(LinkState.UNREACHABLE))
    QApplication.processEvents()  # the layout's pending update
    assert (wall.width(), wall.height()) == size
    assert wall.clock.text() == "09:05"
    assert wall.current_desk.text() == "Balie 12" and wall.recent_desks[2].text() == "Informatiebalie"
    everything = [wall.current_label, wall.current_desk, wall.clock, wall.link_notice, *wall.recent_labels,
                  *wall.recent_desks, *(tile.headline for tile in wall.wait_tiles.values())]  # fmt: skip
    for label in everything:
        corner = label.mapTo(wall, label.rect().bottomRight())
        assert label.isVisible() and corner.x() <= size[0] and corner.y() <= size[1], label.objectName()
    number = wall.current_label
    assert number.fontMetrics().horizontalAdvance(number.text()) <= number.width(), "the number is cut off"
    assert number.fontMetrics().height() >= min(size) / 5, "the number is large enough to read across a room"
