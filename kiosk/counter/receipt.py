"""The receipt a caseworker prints at the desk: the municipality's header, a title and plain lines.

Composed like the kiosk's layouts (kiosk/print_layouts.py): content and emphasis only; encoding and
sending are the printer driver's. The lines are the caseworker's, printed as given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from drivers.printer.document import Align, Block, Cut, Document, Feed, Raster, Text


def desk_receipt(
    title: str,
    lines: Sequence[str],
    *,
    municipality: str,
    location: str,
    logo: Raster | None = None,
    printed_at: dt.datetime | None = None,
) -> Document:
    blocks: list[Block] = [logo] if logo is not None else []
    if municipality:
        blocks.append(Text(municipality, Align.CENTER, bold=True))
    if location:
        blocks.append(Text(location, Align.CENTER))
    blocks.append(Feed(1))
    if title:
        blocks += [Text(title, Align.CENTER, bold=True, size=2), Feed(1)]
    blocks += [Text(line) for line in lines]
    moment = printed_at or dt.datetime.now()
    blocks += [Feed(1), Text(moment.strftime("%d-%m-%Y %H:%M"), Align.CENTER), Feed(2), Cut()]
    return Document(tuple(blocks))
