"""The ``pystat`` command line: a click group whose commands load lazily.

Start-up cost matters (``pystat vmstat`` should cost little more than starting
Python), so this module imports only click, and each command module is
imported only when that command runs or help lists it.
"""

from __future__ import annotations

import importlib
import signal
import sys

import click

from pystat import __version__
from pystat.errors import PystatError

#: command name -> module holding a click command called ``command``
COMMANDS = {
    "vmstat": "pystat.commands.vmstat",
    "netstat": "pystat.commands.netstat",
    "iostat": "pystat.commands.iostat",
    "mpstat": "pystat.commands.mpstat",
    "snapshot": "pystat.commands.snapshot",
    "sources": "pystat.commands.sources",
    "record": "pystat.commands.record",
    "history": "pystat.commands.history",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(module).command


class Options:
    """What the group passes to every command (``ctx.obj``)."""

    def __init__(self, root: str | None):
        self.root = root

    def host(self):
        from pystat.reader import open_host

        return open_host(self.root)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", metavar="DIR", envvar="PYSTAT_ROOT",
              help="Read DIR (a capture made by 'pystat snapshot', mirroring /) "
                   "instead of the live system. A DIR of numbered sub-roots "
                   "000000/, 000001/, ... is a series: interval commands take the "
                   "next one at each sample instead of sleeping. [env: PYSTAT_ROOT]")
@click.version_option(__version__, "-V", "--version", prog_name="pystat",
                      message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx, root):
    """Linux diagnostics from /proc: the classic tools, byte for byte, and more.

    Each command prints what the tool of the same name prints on the same
    /proc contents; --format json|csv|table gives the same report as data.
    """
    ctx.obj = Options(root)


def fail(message: str, code: int = 1, where: str = "pystat") -> None:
    """Print ``where: message`` (one line) on stderr and exit with ``code``."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    message = " ".join(message.split())
    sys.stderr.write(f"{where}: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: list[str] | None = None) -> None:
    # Die quietly on a closed pipe, as the C tools do (`pystat vmstat 1 | head`).
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # /proc text is decoded with surrogateescape; write it back byte for byte.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")
    try:
        rv = cli.main(args=argv, prog_name="pystat", standalone_mode=False)
    except click.exceptions.Exit as e:
        raise SystemExit(e.exit_code) from None
    except _NO_ARGS_IS_HELP as e:
        # a group run without a command (click >= 8.2): its help, as it is
        e.show()
        raise SystemExit(e.exit_code) from None
    except click.ClickException as e:
        ctx = getattr(e, "ctx", None)
        fail(e.format_message(), e.exit_code, ctx.command_path if ctx else "pystat")
    except click.exceptions.Abort:
        fail("aborted", 1)
    except PystatError as e:
        fail(str(e), e.exit_code)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    # click returns the code of --help/--version exits; commands return None
    if isinstance(rv, int):
        raise SystemExit(rv)
