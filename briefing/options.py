"""The choices a brief is built with, their types and their defaults, in one place.

The CLI, the config file and the Python API all start from these, so a default is never
written twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

Format = Literal["md", "pdf", "html", "json"]
FootnoteStyle = Literal["gfm", "plain"]  # [^n] footnotes, or plain [n] and a numbered list

FORMATS: tuple[Format, ...] = get_args(Format)
FOOTNOTE_STYLES: tuple[FootnoteStyle, ...] = get_args(FootnoteStyle)

DEFAULT_FORMATS: tuple[Format, ...] = ("md", "pdf", "json")
DEFAULT_FOOTNOTES: FootnoteStyle = "gfm"
DEFAULT_PER_TOPIC = 5
DEFAULT_OUT = Path("out")
DEFAULT_SOURCES = (Path("seeds"),)
DEFAULT_TITLE = "Daily brief"
DEFAULT_NOVELTY_DAYS = 3  # a fact reported in the last this many briefs is not repeated
STDOUT = Path("-")  # `--out -`: the brief on stdout instead of files
CONFIG_NAME = "briefing.toml"  # the config `run` and `fetch` find in the current folder
