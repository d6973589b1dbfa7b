"""The `rebond` command: the scoring CLI of `psychometrics` plus Django's management commands.

`rebond score|change|instruments ...` run the pure-Python scoring core without loading Django
(researchers can use them with no database); everything else is a `manage.py` command, e.g.
`rebond migrate`, `rebond demo`, `rebond worker`. `rebond --version` prints the installed version.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

SCORING_COMMANDS = frozenset({"score", "change", "instruments"})
# Commands that serve others: what they create is audited by the request or task that does it.
SERVING_COMMANDS = frozenset({"runserver", "worker", "db_worker", "testserver"})


def configuration_error(message: object) -> int:
    """Print a configuration error as one line (it names the variable and the fix); return 2."""
    print(f"rebond: configuration error: {message}", file=sys.stderr)
    return 2


def load_env_file(args: list[str]) -> list[str]:
    """Apply a leading `--env-file FILE` (read as systemd does); return the other arguments."""
    if args[:1] == ["--env-file"] and len(args) > 1:
        path, rest = args[1], args[2:]
    elif args and args[0].startswith("--env-file="):
        path, rest = args[0].partition("=")[2], args[1:]
    else:
        return args
    from rebond.lib.envfile import read

    os.environ.update(read(path))  # the file wins, as it does for the services
    return rest


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `rebond` command and return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        # Answered before any settings load, so it works with no configuration at all.
        import rebond  # the package itself, not one of its apps (docs/architecture.md)

        print(f"rebond {rebond.__version__}")
        return 0
    try:
        args = load_env_file(args)
    except ValueError as exc:
        return configuration_error(exc)
    if args and args[0] in SCORING_COMMANDS:
        from psychometrics.cli import main as scoring_main
        from rebond.lib.paths import wording_dir

        try:
            # The web app reads wording from here too (settings.WORDING_DIR).
            os.environ["REBOND_WORDING_DIR"] = str(wording_dir())
        except ValueError as error:
            print(f"rebond: {error}", file=sys.stderr)
            return 2

        try:
            return scoring_main(args)
        except BrokenPipeError:
            # The reader (e.g. `| head`) stopped early: not an error worth a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    if args[:2] == ["keys", "generate"]:
        # Runs before any keyring exists (settings.py refuses to start without one).
        from rebond.crypto.keys import generate_main

        return generate_main(args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rebond.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading a setting loads them all, here
    except ImproperlyConfigured as exc:
        return configuration_error(exc)

    if args and args[0] in SERVING_COMMANDS:
        execute_from_command_line(["rebond", *args])
        return 0
    from rebond.audit.operations import command_line

    with command_line():  # clinics and accounts created here are audited (issue 24, item 7)
        execute_from_command_line(["rebond", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
