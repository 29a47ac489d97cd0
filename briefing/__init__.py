"""briefing: a day's news articles in, a dated extractive analyst brief out."""

__version__ = "0.1.0"
