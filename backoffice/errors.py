"""Errors the backoffice reports to a person (CLI line or page), never as a traceback."""

from __future__ import annotations

from kiosk.errors import BalieError


class BackofficeError(BalieError):
    """Base of the backoffice's own errors, so `balie` turns them into one plain line."""


class UserExistsError(BackofficeError):
    """`add-user` for a name that is taken: we never overwrite a colleague's password silently."""


class WeakPasswordError(BackofficeError):
    """The password is too short to stand up to guessing, even with the sign-in rate limit."""


class EnrollmentRefused(BackofficeError):
    """An enrollment code that is unknown, spent or expired; the message says which."""
