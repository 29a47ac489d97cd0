"""Memory of `briefing send` against the size of the brief it mails.

A real SMTP server (aiosmtpd, plain, on 127.0.0.1) takes the mail; each brief is a PDF of
the given size beside a small Markdown body, mailed by a fresh `briefing send` process.
Printed per size: megabytes, exit code, wall seconds and the sender's peak resident memory.
Under `max_attachment_mb` (default 10 MB) the brief is mailed and memory grows with it (the
message is built and encoded in memory); over it, `send` refuses before reading the file.

    python bench/send.py [--megabytes 1,5,9,100]
"""

from __future__ import annotations

import argparse
import socket
import tempfile
from pathlib import Path

from aiosmtpd.controller import Controller
from measure import run_briefing

DATE = "2026-11-22"


class Sink:
    """Counts the messages it is given and keeps nothing."""

    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages += 1
        return "250 OK"


def write_brief(folder: Path, megabytes: float) -> Path:
    pdf = folder / f"brief-{DATE}.pdf"
    with pdf.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        out.truncate(int(megabytes * 1_000_000))  # sparse: the disk is not filled
    (folder / f"brief-{DATE}.md").write_text(f"# Bench brief — {DATE}\n\nBody.\n", "utf-8")
    return pdf


def write_config(folder: Path, port: int) -> Path:
    config = folder / "briefing.toml"
    config.write_text(
        "[email]\n"
        'to = ["analyst@example.com"]\n'
        'from = "Briefing <briefing@example.com>"\n'
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 60\n',
        encoding="utf-8",
    )
    return config


def run_send(pdf: Path, config: Path) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak RSS (MB) of one `briefing send`."""
    return run_briefing("send", str(pdf), "--config", str(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", default="1,5,9,100")
    args = parser.parse_args()
    sink = Sink()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as work:
            folder = Path(work)
            config = write_config(folder, port)
            for megabytes in (float(m) for m in args.megabytes.split(",")):
                pdf = write_brief(folder, megabytes)
                code, wall, peak = run_send(pdf, config)
                print(
                    f"send: pdf_mb={megabytes:g} exit={code} wall_s={wall:.2f} "
                    f"peak_rss_mb={peak:.0f} mailed={sink.messages}"
                )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
