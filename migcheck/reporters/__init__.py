"""Report -> text. One module per format; this dict is the registry."""

from __future__ import annotations

from collections.abc import Callable

from migcheck.findings import Report
from migcheck.reporters import json_format, text

Reporter = Callable[[Report], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_format.render,
}
