"""The desk's refusals, each one sentence for the caseworker; the page API turns them into `{"detail"}` once."""

from __future__ import annotations

from backoffice.errors import BackofficeError


class DeskError(BackofficeError):
    """Base of the desk's refusals; `status` is the HTTP status the page API answers with."""

    status = 409


class DeskNotFound(DeskError):
    status = 404


class DeskConflict(DeskError):
    """The request clashes with the state: the desk is taken, a visit is still open, nobody is waiting."""

    status = 409


class DeskInputError(DeskError):
    """A value that can never work (an empty desk name, a topic that is not a letter)."""

    status = 422
