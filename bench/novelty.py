"""Novelty across days: the share of items on days 2-5 that repeat a fact of the last
three briefs, on the five-day desk of tests/novelty_days.py, built without and with a
history file (`--history`). Prints both shares and the time per day."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from novelty_days import TOPICS, repeat_share, write_days

from briefing.history import record_brief
from briefing.pipeline import build_brief
from briefing.topics import parse_topics


def main() -> None:
    topics = parse_topics(TOPICS, "topics.toml")
    with tempfile.TemporaryDirectory() as scratch:
        days = write_days(Path(scratch) / "days")
        for label, history in (("without history", None), ("with history", Path(scratch) / "h")):
            quoted, start = [], time.perf_counter()
            for date, folder in days:
                brief = build_brief([folder], topics, date, per_topic=4, history=history)
                if history is not None:
                    record_brief(history, brief)
                quoted.append([(i.text, i.outlets) for s in brief.sections for i in s.items])
            seconds = (time.perf_counter() - start) / len(days)
            share = repeat_share(quoted)
            items = sum(len(day) for day in quoted[1:])
            print(
                f"novelty: {label}: repeated_share={share:.3f} of {items} items on days 2-5 "
                f"({seconds:.2f} s a day)"
            )


if __name__ == "__main__":
    main()
