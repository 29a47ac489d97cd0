"""Wall time and peak memory of `briefing fetch` over many feeds on many hosts.

200 feeds (10 entries each) on 20 loopback hosts (127.0.0.1 … 127.0.0.20, a real HTTP
server on each) that take 50 ms to answer every request. A fresh `briefing fetch` process
fetches them all into a new archive; hosts are fetched at once, one request at a time per
host with the politeness delay between two requests. Printed per delay: the wall time, the
fetcher's peak resident memory, its exit code and the requests the servers saw.

    python bench/fetch.py [--feeds 200] [--hosts 20] [--latency 0.05] [--delays 0.25,1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from measure import run_briefing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from feedserver import Entry, FeedServer, Reply, feed_server, rss, story


def serve_feeds(servers: list[FeedServer], feeds: int) -> list[str]:
    """FEEDS feeds spread evenly over SERVERS; their URLs."""
    now = dt.datetime.now(dt.UTC)
    urls = []
    for number in range(feeds):
        server = servers[number % len(servers)]
        path = f"/feeds/{number}.xml"
        entries = [
            Entry(
                f"Story {n} of feed {number}",
                server.url(f"/news/{number}/{n}"),
                story(f"plan {n} of desk {number}"),
                now - dt.timedelta(minutes=n),
            )
            for n in range(10)
        ]
        server.routes[path] = Reply(200, rss(f"Desk {number}", entries), {"ETag": f'"{number}"'})
        urls.append(server.url(path))
    return urls


def write_config(folder: Path, urls: list[str], delay: float) -> Path:
    config = folder / "briefing.toml"
    lines = [
        f'out = "{folder / "out"}"',
        "[fetch]",
        'allow_addresses = ["127.0.0.0/8"]',
        f"delay = {delay}",
        *(f'[[feeds]]\nurl = "{url}"' for url in urls),
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def run_fetch(config: Path) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak RSS (MB) of one `briefing fetch`."""
    return run_briefing("fetch", "--config", str(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--delays", default="0.25,1")
    args = parser.parse_args()
    with ExitStack() as stack:
        servers = [
            stack.enter_context(feed_server(f"127.0.0.{n}", args.latency))
            for n in range(1, args.hosts + 1)
        ]
        urls = serve_feeds(servers, args.feeds)
        for delay in (float(d) for d in args.delays.split(",")):
            for server in servers:
                server.seen.clear()
            with tempfile.TemporaryDirectory() as work:
                config = write_config(Path(work), urls, delay)
                code, wall, peak = run_fetch(config)
            requests = sum(len(s.seen) for s in servers)
            print(
                f"fetch: feeds={args.feeds} hosts={args.hosts} latency_s={args.latency:g} "
                f"delay_s={delay:g} exit={code} wall_s={wall:.2f} peak_rss_mb={peak:.0f} "
                f"requests={requests}"
            )


if __name__ == "__main__":
    main()
