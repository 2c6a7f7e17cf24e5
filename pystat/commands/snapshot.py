"""``pystat snapshot``: capture what every pystat command reads, for offline use."""

from __future__ import annotations

import os
import sys
import time

import click

from pystat.errors import PystatError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--interval", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              metavar="SECONDS", help="Time between the samples of a series.")
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Samples to take. More than 1 makes a series: DIRECTORY/000000, 000001, ...")
@click.pass_obj
def command(obj, directory, interval, count):
    """Capture the live system into DIRECTORY (which must be new or empty).

    Any command then runs on the capture with 'pystat --root DIRECTORY ...'
    and prints what it printed live at capture time.
    """
    from pystat.capture import capture

    if obj.root is not None and os.path.abspath(obj.root) != "/":
        raise PystatError("snapshot: captures the live system; --root does not apply")
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        raise PystatError(f"snapshot: {directory} exists and is not an empty directory")
    start = time.time()
    for k in range(count):
        when = start + k * interval
        delay = when - time.time()
        if delay > 0:
            time.sleep(delay)
        dest = directory if count == 1 else os.path.join(directory, "%06d" % k)
        missing = capture(dest, when)
        for path in missing:
            sys.stderr.write(f"pystat: snapshot: could not read {path}\n")
