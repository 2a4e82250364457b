"""`balie`: one command, with a subcommand per capability that exists.

Heavy modules (Qt, OpenCV, crypto) are imported only inside the subcommand that
needs them, so `balie --help` and config errors answer at once.
"""

from __future__ import annotations

import argparse
import sys
import typing
from pathlib import Path

from kiosk import __version__
from kiosk.errors import BalieError, ConfigError

EXIT_USAGE = 2


def _kiosk(args: argparse.Namespace) -> int:
    from kiosk.config import SUPPORTED_LANGUAGES, load_config
    from kiosk.ui.app import LaunchOptions, run_kiosk
    from kiosk.ui.theme import ThemeName

    config = load_config(args.config)
    if args.language and args.language not in config.device.languages:
        raise ConfigError(
            "--language",
            f"'{args.language}' is not offered here "
            f"(offered: {', '.join(config.device.languages)}; known: {', '.join(SUPPORTED_LANGUAGES)})",
        )
    options = LaunchOptions(
        windowed=args.windowed,
        screenshot=args.screenshot,
        theme=ThemeName(args.theme),
        language=args.language,
    )
    return run_kiosk(config, options)


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes as one line naming the fix, not the whole usage text before it.

    A technician who typed `--speech espek` needs "did you mean 'espeak'?", and a script reading
    stderr needs one line; `--help` still shows everything. Subcommands inherit this class.
    """

    def error(self, message: str) -> typing.NoReturn:
        import re

        from drivers.options import did_you_mean

        choice = re.search(r"invalid choice: '(?P<word>[^']*)' \(choose from (?P<choices>.*)\)$", message)
        near = did_you_mean(choice["word"], re.findall(r"'([^']*)'", choice["choices"])) if choice else ""
        if choice and near:
            message = message.replace("(choose from", f"({near}choose from")
        else:
            message += f" (see {self.prog} --help)"
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="balie", description="Balie: self-service kiosks and counter appliances.")
    parser.add_argument("--version", action="version", version=f"balie {__version__}")
    # Typed as plain parsers: the command modules need only ArgumentParser's methods.
    commands = typing.cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )

    kiosk = commands.add_parser("kiosk", help="start the fullscreen kiosk application")
    kiosk.add_argument("--config", type=Path, help="device config (TOML); without it every device is simulated")
    kiosk.add_argument(
        "--windowed",
        action="store_true",
        help="a window (portrait 1080x1920 or landscape 1920x1080, from the config) instead of fullscreen",
    )
    kiosk.add_argument(
        "--screenshot", type=Path, metavar="PNG", help="render the first screen, save it as PNG and exit"
    )
    kiosk.add_argument(
        "--theme",
        choices=["standard", "high-contrast", "large-text"],
        default="standard",
        help="start in this display variant (a citizen can switch per session)",
    )
    kiosk.add_argument("--language", help="show the first screen in this language (e.g. en)")
    kiosk.set_defaults(run=_kiosk)

    from provisioning import (
        backoffice_command,
        call_command,
        camera_command,
        chip_command,
        printer_command,
        provision_command,
    )

    printer_command.add_parser(commands)
    camera_command.add_parser(commands)
    chip_command.add_parser(commands)
    provision_command.add_parser(commands)
    backoffice_command.add_parser(commands)
    call_command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"balie: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BalieError as exc:
        print(f"balie: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
