"""The display's one request to the backoffice: the board, with the device's token.

Failures become the same two errors as kiosk/backoffice_client.py, so the poller needs to know only
"try again soon" (`BackofficeUnavailable`) or "this display is refused" (`BackofficeRejected`: revoked,
not a display, wrong address). Its own small client, because a display asks for nothing else.
"""

from __future__ import annotations

import httpx

from kiosk.backoffice_client import BackofficeRejected, BackofficeUnavailable
from kiosk.display.board import Board, BoardMalformed, parse_board

BOARD_PATH = "/api/v1/display/board"
# Polled every second: an answer later than this is worth less than the next poll.
BOARD_TIMEOUT = 3.0


class BoardClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = BOARD_TIMEOUT) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def board(self, after: int) -> Board:
        """The calls after call id `after` (0: from the start of the day), the recent ones and the waits."""
        try:
            response = self._http.get(BOARD_PATH, params={"after": max(0, after)})
        except httpx.HTTPError as error:
            raise BackofficeUnavailable(f"no answer from the backoffice ({type(error).__name__})") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise BackofficeUnavailable(f"the backoffice answered {response.status_code}")
        if response.status_code >= 400:
            raise BackofficeRejected(response.status_code, _detail(response))
        try:
            return parse_board(response.json())
        except ValueError as error:  # not JSON, or BoardMalformed
            reason = str(error) if isinstance(error, BoardMalformed) else "it is not JSON"
            raise BackofficeUnavailable(f"the backoffice's board cannot be read: {reason}") from error


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else response.reason_phrase
