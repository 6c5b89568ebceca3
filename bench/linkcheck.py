"""Benchmark: oversight.linkcheck versus LinkChecker on the same local site.

Usage (from the repository root)::

    .venv/bin/python -m bench.linkcheck [--pages 250] [--concurrency 32]

A deterministic site (250 pages × 22 unique links + navigation by default,
~5,800 distinct URLs) is served from a child process on 127.0.0.1 with known
broken (404, 500, redirect-to-404, external 404), slow (200–500 ms) and
redirecting links.  Both checkers crawl it in the same run; their broken sets
are compared with the generator's expectation.  The last line printed is one
JSON object with the results.

Fairness: both use the same concurrency (LinkChecker threads == our
max_concurrency == our per-host limit) and a 15 s timeout.  LinkChecker's
per-host politeness delay (≤10 requests/s) is lifted through its documented
mechanism (``maxrequestspersecond`` plus a ``LinkChecker`` response header)
so raw checking speed is compared.  Our checker keeps its default of one
retry for 5xx answers, which only costs it time.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

from bench.sitegen import LOOPBACK, BenchServer, BenchSite
from oversight.linkcheck import CheckConfig, CrawlReport, check_site, normalize_url

ROOT = Path(__file__).resolve().parent.parent
LINKCHECKER = ROOT / ".venv" / "bin" / "linkchecker"
TIMEOUT_S = 15
LINKCHECKER_WALL_LIMIT_S = 200
SERVER_LIFETIME_S = 290


def run_ours(site: BenchSite, concurrency: int) -> tuple[float, CrawlReport]:
    port = site.base.rsplit(":", 1)[1]
    config = CheckConfig(
        start_url=f"{site.base}/",
        internal_hosts=frozenset({f"{LOOPBACK}:{port}"}),
        # Both benchmark "sites" live on loopback; nothing else is allowed.
        allowed_private_hosts=frozenset({LOOPBACK}),
        max_concurrency=concurrency,
        per_host_concurrency=concurrency,
        timeout_s=TIMEOUT_S,
    )
    started = time.perf_counter()
    report = check_site(config)
    return time.perf_counter() - started, report


def _linkchecker_config() -> str:
    # World-readable file in /tmp: LinkChecker drops root privileges to
    # "nobody" before reading its configuration.
    with tempfile.NamedTemporaryFile("w", prefix="linkcheckerrc-", suffix=".ini", dir="/tmp", delete=False) as handle:
        handle.write("[checking]\nmaxrequestspersecond=1000000\n")
    os.chmod(handle.name, 0o644)
    return handle.name


def run_linkchecker(site: BenchSite, threads: int) -> tuple[float, set[str], set[str], int]:
    """Return (seconds, broken URLs, all URLs seen, exit code)."""
    config_path = _linkchecker_config()
    command = [
        str(LINKCHECKER),
        "--config",
        config_path,
        "--no-status",
        "--verbose",  # log valid URLs too, to confirm it covered the whole site
        "--output",
        "csv/utf-8",
        "--threads",
        str(threads),
        "--timeout",
        str(TIMEOUT_S),
        "--check-extern",
        f"{site.base}/",
    ]
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, capture_output=True, timeout=LINKCHECKER_WALL_LIMIT_S, check=False)
    finally:
        os.unlink(config_path)
    elapsed = time.perf_counter() - started
    broken: set[str] = set()
    seen: set[str] = set()
    text = proc.stdout.decode("utf-8", errors="replace")
    rows = csv.DictReader(
        io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#"))),
        delimiter=";",
    )
    for row in rows:
        # "url" is the post-redirect URL; the link as written is urlname
        # resolved against its page, which is what our checker reports.
        raw = urljoin(row.get("base") or row.get("parentname") or "", row.get("urlname") or "")
        try:
            url = normalize_url(raw) or raw
        except ValueError:
            url = raw
        seen.add(url)
        if row.get("valid") == "False":
            broken.add(url)
    return elapsed, broken, seen, proc.returncode


def _diff(label: str, found: set[str], expected: set[str]) -> str:
    missing, extra = sorted(expected - found), sorted(found - expected)
    text = f"  {label}: {len(found)} found, {len(missing)} missed, {len(extra)} unexpected"
    for url in (missing + extra)[:5]:
        text += f"\n    {'missed' if url in missing else 'extra '} {url}"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=250)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with BenchServer(n_pages=args.pages, lifetime_s=SERVER_LIFETIME_S) as server:
        site = server.site
        print(
            f"site: {len(site.links)} distinct links on {args.pages + 1} pages "
            f"(+ leaf pages), {len(site.broken)} broken, {len(site.slow)} slow, "
            f"{len(site.redirecting)} redirecting, {len(site.robots_blocked)} robots-blocked"
        )
        ours_s, report = run_ours(site, args.concurrency)
        ours_broken = {r.url for r in report.broken}
        print(
            f"ours:        {ours_s:7.2f} s  {len(report.links)} links, "
            f"{report.pages_crawled} pages parsed, {len(ours_broken)} broken, "
            f"{len(report.skipped)} skipped "
            f"(max_concurrency={args.concurrency}, per_host={args.concurrency}, "
            f"timeout={TIMEOUT_S}s, retries=1)"
        )
        lc_s, lc_broken, lc_seen, lc_rc = run_linkchecker(site, args.concurrency)
        print(
            f"linkchecker: {lc_s:7.2f} s  {len(lc_seen)} links, {len(lc_broken)} broken, "
            f"exit {lc_rc} (threads={args.concurrency}, timeout={TIMEOUT_S}s, "
            f"--check-extern, maxrequestspersecond unlimited)"
        )

    print("broken links versus the generator's expectation:")
    print(_diff("ours", ours_broken, site.broken))
    print(_diff("linkchecker", lc_broken, site.broken))
    ratio = lc_s / ours_s if ours_s else float("inf")
    print(f"speed-up: LinkChecker takes {ratio:.2f}× as long as our checker")
    result = {
        "ours_s": round(ours_s, 3),
        "linkchecker_s": round(lc_s, 3),
        "ratio": round(ratio, 2),
        "links": len(report.links),
        "links_expected": len(site.links),
        "linkchecker_links": len(lc_seen),
        "pages_crawled": report.pages_crawled,
        "broken_expected": len(site.broken),
        "broken_found": len(ours_broken),
        "linkchecker_broken_found": len(lc_broken),
        "ours_matches_expected": ours_broken == site.broken,
        "linkchecker_matches_expected": lc_broken == site.broken,
        "same_broken": ours_broken == lc_broken,
        "concurrency": args.concurrency,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["same_broken"] and result["ours_matches_expected"] else 1


if __name__ == "__main__":
    sys.exit(main())
