"""Progress bars on stderr for long runs, shown only to a person at a terminal.

Under cron, in a pipe or in a test, stderr is not a terminal and nothing is printed,
so logs and error lines stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

Item = TypeVar("Item")


def progress(items: Iterable[Item], *, total: int, description: str, unit: str) -> Iterable[Item]:
    """`items` as they are; with a bar on stderr while they are consumed when stderr is
    a terminal. The bar is removed when done, so the command's output stays as it was."""
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm  # only a terminal session pays for the import

    return tqdm(items, total=total, desc=description, unit=unit, leave=False, file=sys.stderr)
