"""One module per tool.  Each computes its report model from the host's
files and hands it to a renderer: the tool-compatible text layout (in the
module) or one of the structured renderers of :mod:`pystat.render`."""

from __future__ import annotations

import click

from pystat.errors import PystatError, SeriesExhausted

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv", "table"]), default="text",
    show_default=True,
    help="text: the real tool's layout, byte for byte; json: an array of row objects; "
         "csv: a header line and a line per row; table: one aligned table. "
         "Fields and units: docs/formats.md.")


def until_series_ends(reports, infinite: bool, what: str):
    """Pass ``reports`` through, ending cleanly where a snapshot series ends.

    A run without a count stops quietly at the last sample of a series; a run
    that asked for more samples than the series holds is an error.
    """
    try:
        yield from reports
    except SeriesExhausted as e:
        if not infinite:
            raise PystatError(f"{what}: {e}") from None
