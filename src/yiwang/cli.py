"""The ``yiwang`` command: Django's management commands with yiwang's settings.

Command names may be written with hyphens (``yiwang seed-demo``) as well as underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "yiwang"
    # The command name, and the one after "help", may be written with hyphens.
    for position in (1, 2) if len(args) > 2 and args[1] == "help" else (1,):
        if len(args) > position and not args[position].startswith("-"):
            args[position] = args[position].replace("-", "_")
    from django.core.exceptions import ImproperlyConfigured

    from yiwang.core import cli_text

    cli_text.install()
    try:
        cli_text.Utility(args).execute()
        sys.stdout.flush()
    except ImproperlyConfigured as exc:
        # The settings refused the environment (a missing key, a malformed number): the message
        # names the variable; a traceback would only hide it.
        if "--traceback" in args:
            raise
        sys.stderr.write(f"{cli_text.ERROR_PREFIX}配置有误：{exc}\n")
        sys.exit(1)
    except BrokenPipeError:
        # The reader went away (``yiwang catalog export | head``): stop quietly, as other
        # command-line tools do, and keep the interpreter's final flush from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
