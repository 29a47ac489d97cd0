"""Five consecutive days of a small news desk, for the novelty tests and bench/novelty.py:
continuing stories that retell earlier facts, newly corroborated facts, and new stories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

FIRST_DAY = dt.date(2026, 11, 2)

TOPICS = """
[[topics]]
id = "ports"
title = "Ports"
keywords = ["port", "dock workers", "harbour", "cargo", "container ships"]

[[topics]]
id = "energy"
title = "Energy"
keywords = ["energy", "power station", "fuel", "electricity"]

[[topics]]
id = "rail"
title = "Rail"
keywords = ["rail", "railway", "train", "trains"]
"""

FACTS = {
    "P1": "Dock workers at Port Meridian walked out on Monday in a dispute over night shifts.",
    "P2": "More than forty container ships were left waiting outside the harbour of Port Meridian.",
    "P3": "The port authority said the strike cost shippers about twelve million dollars a day.",
    "P4": "Union leaders at Port Meridian asked for a raise of eight percent for crane operators.",
    "P5": "Talks between the dock workers' union and the port authority resumed on Wednesday.",
    "P6": "Cargo bound for the city's factories was diverted to the smaller harbour at Eastbay.",
    "P7": "The port authority offered crane operators a raise of six percent over two years.",
    "P8": "Dock workers at Port Meridian voted to accept the offer and end the strike on Friday.",
    "E1": "The Northfield power station shut two turbines after fuel deliveries by sea stopped.",
    "E2": "Electricity prices on the regional market rose by a fifth in two days of trading.",
    "E3": "The energy regulator asked households in Northfield to save electricity in the evening.",
    "E4": "Fuel for the Northfield power station arrived by road tanker on Thursday morning.",
    "E5": "The energy ministry promised a review of fuel reserves at every coastal power station.",
    "R1": "Railway workers on the Coast Line announced a strike for the first week of December.",
    "R2": "Train operators said about a third of Coast Line services would run during the strike.",
    "R3": "The rail union said its members had not had a pay rise since the spring of last year.",
    "R4": "Rail commuters from Eastbay were advised to travel by bus during the Coast Line strike.",
}

# day -> articles: (file name, outlet, headline, facts)
DAYS: list[list[tuple[str, str, str, list[str]]]] = [
    [
        ("p-courier-1", "Courier", "Dock strike closes Port Meridian", ["P1", "P2", "P3", "P4"]),
        ("e-herald-1", "Herald", "Northfield power station shuts turbines", ["E1", "E2", "E3"]),
    ],
    [
        ("p-courier-1", "Courier", "Dock strike closes Port Meridian", ["P1", "P2", "P3", "P4"]),
        ("p-herald-2", "Herald", "Port Meridian strike enters third day", ["P1", "P5", "P6"]),
        ("e-herald-1", "Herald", "Northfield power station shuts turbines", ["E1", "E2", "E3"]),
    ],
    [
        ("p-herald-2", "Herald", "Port Meridian strike enters third day", ["P1", "P5", "P6"]),
        ("p-gazette-3", "Gazette", "Port authority makes an offer", ["P5", "P7", "P3"]),
        ("e-courier-3", "Courier", "Fuel reaches Northfield by road", ["E4", "E5", "E2"]),
    ],
    [
        ("r-courier-4", "Courier", "Coast Line rail strike called", ["R1", "R2", "R3"]),
        ("p-gazette-3", "Gazette", "Port authority makes an offer", ["P5", "P7", "P3"]),
        ("e-courier-3", "Courier", "Fuel reaches Northfield by road", ["E4", "E5", "E2"]),
    ],
    [
        ("r-herald-5", "Herald", "Commuters told to take the bus", ["R1", "R4", "R2"]),
        ("p-courier-5", "Courier", "Dock workers accept pay offer", ["P8", "P2", "P7"]),
        ("e-courier-3", "Courier", "Fuel reaches Northfield by road", ["E4", "E5", "E2"]),
    ],
]


def write_days(folder: Path) -> list[tuple[dt.date, Path]]:
    """Each day's folder of article files (with a sources.toml naming the outlets)."""
    days = []
    for number, articles in enumerate(DAYS):
        date = FIRST_DAY + dt.timedelta(days=number)
        day = folder / date.isoformat()
        day.mkdir(parents=True)
        outlets = []
        for name, outlet, headline, facts in articles:
            body = "\n\n".join(FACTS[f] for f in facts)
            (day / f"{name}.txt").write_text(f"{headline}\n\n{body}\n", encoding="utf-8")
            outlets.append(f'["{name}.txt"]\noutlet = "{outlet}"\n')
        (day / "sources.toml").write_text("\n".join(outlets), encoding="utf-8")
        days.append((date, day))
    return days


def words(text: str) -> set[str]:
    return {w.strip(".,'\"").lower() for w in text.split() if len(w.strip(".,'\"")) > 3}


def repeat_share(briefs: list[list[tuple[str, int]]], window: int = 3) -> float:
    """Share of the items of days 2.. that repeat a fact (the same words, by a word-set
    cosine of 0.6) of the last `window` briefs without more outlets carrying it now."""
    repeats = total = 0
    for day in range(1, len(briefs)):
        earlier = [item for past in briefs[max(0, day - window) : day] for item in past]
        for text, outlets in briefs[day]:
            total += 1
            mine = words(text)
            for old_text, old_outlets in earlier:
                theirs = words(old_text)
                cosine = len(mine & theirs) / max((len(mine) * len(theirs)) ** 0.5, 1.0)
                if cosine >= 0.6 and outlets <= old_outlets:
                    repeats += 1
                    break
    return repeats / max(total, 1)
