"""A /proc file as successive ``fgets(buf, size)`` calls give it to net-tools.

A line longer than ``size - 1`` bytes arrives in pieces, each of which the
tool parses as a line of its own; ``sscanf``/``strcmp`` and the rest see a
piece only up to its first NUL byte (the bytes after it, up to the newline,
are read and ignored).
"""

from __future__ import annotations


def fgets_pieces(text: str, size: int, first: int | None = None,
                 bytewise: bool = False) -> list[str]:
    """The C strings successive ``fgets(buf, size)`` calls leave in ``buf``
    (``first``: the size of the first call, when it differs), sizes counted in
    bytes of the file (``text`` is its UTF-8 with surrogate escapes).
    ``bytewise``: each piece as Latin-1, one character a byte (for ``%Ns``
    widths, which count bytes; :func:`c_text` turns a field back)."""
    if "\0" not in text and text.isascii() and len(text) < size - 1 and (
            first is None or len(text) < first - 1):
        if not text:
            return []
        parts = text.split("\n")
        out = [p + "\n" for p in parts[:-1]]
        if parts[-1]:
            out.append(parts[-1])
        return out
    data = text.encode("utf-8", "surrogateescape")
    out = []
    i, n = 0, len(data)
    width = (first or size) - 1
    while i < n:
        j = data.find(b"\n", i, i + width)
        end = j + 1 if j >= 0 else min(n, i + width)
        piece = data[i:end]
        cut = piece.find(b"\0")
        if cut >= 0:
            piece = piece[:cut]
        out.append(piece.decode("latin-1" if bytewise else "utf-8", "surrogateescape"))
        i = end
        width = size - 1
    return out


def c_text(field: str) -> str:
    """A field of a ``bytewise`` piece as text (its bytes as UTF-8)."""
    if field.isascii():
        return field
    return field.encode("latin-1").decode("utf-8", "surrogateescape")
