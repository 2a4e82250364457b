"""Staff accounts: created from the command line by whoever runs the service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.errors import UserExistsError
from backoffice.models import StaffUser
from backoffice.passwords import hash_password
from backoffice.roles import Role
from backoffice.settings import Settings


def normalise_username(username: str) -> str:
    # Case-insensitive names: "JdeVries" and "jdevries" are one colleague, one rate-limit bucket.
    return username.strip().lower()


def add_user(db: Session, settings: Settings, username: str, role: Role, password: str) -> StaffUser:
    name = normalise_username(username)
    if not name:
        raise UserExistsError("the username is empty")
    if db.scalar(select(StaffUser).where(StaffUser.username == name)) is not None:
        raise UserExistsError(f"a user named {name!r} exists already")
    user = StaffUser(
        username=name, password_hash=hash_password(password), role=role, active=True, created_at=settings.clock()
    )
    db.add(user)
    db.commit()
    return user


def find_user(db: Session, username: str) -> StaffUser | None:
    return db.scalar(select(StaffUser).where(StaffUser.username == normalise_username(username)))
