"""`balie backoffice …`: run the service, migrate its database, add staff, hand out enrollment codes.

The names and options are a contract other tools rely on. `enroll-code` prints only the code on
stdout, so a script can capture it. Failures print one line on stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.settings import Settings

EXIT_OK, EXIT_FAILED = 0, 1
ROLES = ("caseworker", "technician", "manager", "admin")
KEEP_ALIVE_SECONDS = 75
DATABASE_HELP = "SQLAlchemy URL (sqlite:///…, postgresql+psycopg://…) or SQLite file; default $BALIE_DATA/balie.db"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backoffice = commands.add_parser("backoffice", help="run and administer the backoffice service")
    actions = backoffice.add_subparsers(dest="action", required=True, metavar="ACTION")

    serve = actions.add_parser("serve", help="migrate the database to the newest schema, then serve HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8420, help="port to listen on (default 8420)")
    serve.add_argument("--database", help=DATABASE_HELP)
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        metavar="IPS",
        help="behind a load balancer: its addresses (comma-separated, or *), whose X-Forwarded-For and"
        " X-Forwarded-Proto are believed, so the client's address counts for rate limits (default 127.0.0.1)",
    )
    serve.set_defaults(run=_serve)

    migrate = actions.add_parser("migrate", help="bring the database to the newest schema (alembic upgrade head)")
    migrate.add_argument("--database", help=DATABASE_HELP)
    migrate.set_defaults(run=_migrate)

    add_user = actions.add_parser("add-user", help="create a staff account")
    add_user.add_argument("--username", required=True)
    add_user.add_argument("--role", required=True, choices=ROLES)
    add_user.add_argument(
        "--password-file", type=Path, help="read the password from this file (default: ask twice, hidden)"
    )
    add_user.add_argument("--database", help=DATABASE_HELP)
    add_user.set_defaults(run=_add_user)

    enroll_code = actions.add_parser("enroll-code", help="print a one-time code (24 h) to enroll a device")
    enroll_code.add_argument("--location", required=True, help="town hall or branch; created when new")
    enroll_code.add_argument("--database", help=DATABASE_HELP)
    enroll_code.set_defaults(run=_enroll_code)

    channel_key = actions.add_parser("channel-key", help="print a new API key (shown once) for another channel")
    channel_key.add_argument("--name", required=True, help="the channel's system, e.g. KCC or chat")
    channel_key.add_argument(
        "--revoke",
        action="store_true",
        help="refuse this channel's key from now on (then run without --revoke for a new key)",
    )
    channel_key.add_argument("--database", help=DATABASE_HELP)
    channel_key.set_defaults(run=_channel_key)

    retention = actions.add_parser(
        "retention", help="delete contacts, events, documents and visits past the retention period"
    )
    retention.add_argument("--days", type=int, help="keep this many days (default: the configured 365)")
    retention.add_argument("--database", help=DATABASE_HELP)
    retention.set_defaults(run=_retention)
    _add_import_appointments_parser(actions)
    _add_location_config_parser(actions)
    _add_desk_parser(actions)


def _fail(message: str) -> int:
    print(f"balie backoffice: {message}", file=sys.stderr)
    return EXIT_FAILED


def _migrated_settings(database: str | None) -> Settings:
    """Every command works on a current schema: migrating is idempotent and quick when nothing is new."""
    from backoffice.migrate import upgrade_to_head
    from backoffice.settings import load_settings

    settings = load_settings(database)
    upgrade_to_head(settings.database_url)
    return settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from backoffice.app import create_app
    from backoffice.calls.routing import CallSettings
    from backoffice.desk.rule_config import rule_from_environ
    from backoffice.errors import BackofficeError

    try:
        CallSettings.from_environ(os.environ)  # read again at the first call; a mistake is said now
        call_next_rule = rule_from_environ(os.environ)
    except (ValueError, BackofficeError) as error:
        return _fail(str(error))
    settings = _migrated_settings(args.database)
    # No access log: 500 kiosks make 5 million heartbeat lines a day that nobody reads, and the load
    # balancer in front logs requests anyway; errors and start-up still go to stderr. uvicorn takes uvloop
    # and httptools when installed (pyproject asks for them): less CPU per request than asyncio and h11.
    # Proxy headers are believed only from --forwarded-allow-ips, so a client cannot choose its own address.
    # Idle connections stay open longer than a heartbeat interval (uvicorn's default is 5 s): a kiosk reuses
    # its connection instead of connecting anew, never sends just as the server closes it, and a load
    # balancer's idle timeout (60 s is common) ends before the server's, as it should.
    app = create_app(settings)
    app.state.call_next_rule = call_next_rule
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    return EXIT_OK


def _migrate(args: argparse.Namespace) -> int:
    _migrated_settings(args.database)
    return EXIT_OK


def _read_password(path: Path | None) -> str | None:
    if path is not None:
        # One trailing newline is the file's, not the password's.
        return path.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        return None
    return first


def _add_user(args: argparse.Namespace) -> int:
    from backoffice.db import make_engine, make_session_factory
    from backoffice.passwords import check_strength
    from backoffice.roles import Role
    from backoffice.users import add_user

    try:
        password = _read_password(args.password_file)
    except OSError as exc:
        return _fail(f"cannot read the password file: {exc.strerror}")
    if password is None:
        return _fail("the two passwords differ")
    check_strength(password)
    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            user = add_user(db, settings, args.username, Role(args.role), password)
            print(f"added {user.username} ({user.role.value})", file=sys.stderr)
    finally:
        engine.dispose()
    return EXIT_OK


def _enroll_code(args: argparse.Namespace) -> int:
    from backoffice.db import make_engine, make_session_factory
    from backoffice.enrollment import new_enrollment_code

    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            print(new_enrollment_code(db, settings, args.location))
    finally:
        engine.dispose()
    return EXIT_OK


def _add_import_appointments_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = actions.add_parser(
        "import-appointments", help="add or update a location's appointments from an agenda export (CSV or JSON)"
    )
    importer.add_argument("--location", required=True, help="town hall or branch; must exist (enroll a device first)")
    importer.add_argument(
        "--file",
        required=True,
        type=Path,
        help="F.csv (header: code,start,topic,first_name[,duration_minutes]) or F.json (a list of such objects);"
        " start is the local time, e.g. 2026-03-02T10:30",
    )
    importer.add_argument("--database", help=DATABASE_HELP)
    importer.set_defaults(run=_import_appointments)


def _import_appointments(args: argparse.Namespace) -> int:
    """All or nothing: a bad row stops the import with one line naming the file and row, never a name or code."""
    from backoffice.agenda_export import read_appointment_file
    from backoffice.appointments import AppointmentFileError, import_appointments
    from backoffice.db import make_engine, make_session_factory

    settings = _migrated_settings(args.database)
    try:
        appointments = read_appointment_file(args.file, settings.display_timezone)
    except AppointmentFileError as exc:
        return _fail(str(exc))
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            result = import_appointments(db, settings, args.location, appointments)
    except AppointmentFileError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    print(
        f"{len(appointments)} appointments read: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.kept_checked_in} left alone (checked in already)"
    )
    return EXIT_OK


def _add_location_config_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    location_config = actions.add_parser(
        "location-config", help="set a location's settings its devices fetch: tasks, topics, texts, opening hours"
    )
    location_config.add_argument("--location", required=True, help="town hall or branch; created when new")
    location_config.add_argument(
        "--file",
        required=True,
        type=Path,
        help="a JSON object with any of: device.tasks, queue.topics, counter.location_text, opening_hours"
        ' (as in the device config), e.g. {"opening_hours": {"monday": "09:00-17:00"}}',
    )
    location_config.add_argument("--database", help=DATABASE_HELP)
    location_config.set_defaults(run=_location_config)


def _location_config(args: argparse.Namespace) -> int:
    """Checked as a device checks it, before anything is stored: a refused file changes nothing."""
    from backoffice.db import make_engine, make_session_factory
    from backoffice.location_config import LocationConfigRefused, read_settings_file, set_location_config

    try:
        document = read_settings_file(args.file)
    except LocationConfigRefused as exc:
        return _fail(str(exc))
    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            version = set_location_config(db, settings, args.location, document)
    finally:
        engine.dispose()
    print(f"settings for {args.location} stored as version {version}; devices take them when idle")
    return EXIT_OK


def _add_desk_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    desk = actions.add_parser("desk", help="create a staffed desk a caseworker signs in to (see backoffice/DESK.md)")
    desk.add_argument("--location", required=True, help="town hall or branch; must exist (enroll a device first)")
    desk.add_argument("--name", required=True, help='what the waiting-room display says after "balie", e.g. 3')
    desk.add_argument("--topics", default="", help="topic letters the desk serves, in priority order (default: all)")
    desk.add_argument("--database", help=DATABASE_HELP)
    desk.set_defaults(run=_desk)


def _desk(args: argparse.Namespace) -> int:
    from backoffice.db import make_engine, make_session_factory
    from backoffice.desk.desks import create_desk, location_called
    from backoffice.desk.errors import DeskError

    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            made = create_desk(db, settings, location_called(db, args.location), args.name, args.topics)
            db.commit()
            print(f"desk {made.name} at {args.location} (id {made.id}), topics: {made.topics or 'all'}")
    except DeskError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    return EXIT_OK


def _channel_key(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from backoffice.contacts import new_channel_key
    from backoffice.db import make_engine, make_session_factory

    if args.revoke:
        return _revoke_channel_key(args)
    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            # Only the key on stdout, once: the database keeps its hash, nobody can show it again.
            print(new_channel_key(db, settings, args.name))
    except IntegrityError:
        return _fail(f"a channel key named {args.name!r} exists already")
    finally:
        engine.dispose()
    return EXIT_OK


def _revoke_channel_key(args: argparse.Namespace) -> int:
    """Nothing on stdout (it is the key's place); one line on stderr says what happened."""
    from backoffice.contacts import ChannelKeyUnknown, revoke_channel_key
    from backoffice.db import make_engine, make_session_factory

    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            revoked_at = revoke_channel_key(db, settings, args.name)
    except ChannelKeyUnknown:
        return _fail(f"no channel key is named {args.name!r}")
    finally:
        engine.dispose()
    print(f"revoked the channel key {args.name!r} (since {revoked_at.isoformat(timespec='seconds')})", file=sys.stderr)
    return EXIT_OK


def _retention(args: argparse.Namespace) -> int:
    from backoffice.db import make_engine, make_session_factory
    from backoffice.retention import delete_expired

    if args.days is not None and args.days < 1:
        return _fail("--days must be at least 1")
    settings = _migrated_settings(args.database)
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            deleted = delete_expired(db, settings, args.days)
    finally:
        engine.dispose()
    print(deleted.summary())
    return EXIT_OK
