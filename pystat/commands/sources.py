"""``pystat sources``: the files a command reads, in the order it reads them."""

from __future__ import annotations

import contextlib
import io

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"],
                                 "ignore_unknown_options": True})
@click.argument("cmd", metavar="COMMAND")
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[FLAGS]...")
@click.pass_context
def command(ctx, cmd, args):
    """List the /proc and /sys files COMMAND reads with these FLAGS.

    For example 'pystat sources vmstat -d'. The command runs once (without
    sleeping between samples) and its output is discarded. Directories it
    lists end with '/'.
    """
    from pystat.cli import cli

    target = cli.get_command(ctx, cmd)
    if target is None or cmd == "sources":
        raise click.UsageError(f"no such command: {cmd}")
    if cmd in ("record", "history"):
        # not reports: record would run (and write) until stopped, history reads a database
        raise click.UsageError(f"{cmd} is not a report; 'pystat {cmd} --help' says what it reads")
    opts = ctx.obj
    hosts = []
    real_host = opts.host

    def host():
        h = real_host()
        if h.live:
            h.wait = lambda seconds: None
        hosts.append(h)
        return h

    opts.host = host
    with contextlib.redirect_stdout(io.StringIO()):
        target.main(list(args), prog_name=f"pystat {cmd}", standalone_mode=False, obj=opts)
    for h in hosts:
        for path in h.opened:
            click.echo(path)
