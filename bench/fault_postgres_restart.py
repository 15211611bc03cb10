"""PostgreSQL restarted under traffic: do requests fail only while it is down, as 503 (never 500),
do pages answer again soon after it is back, and is every acknowledged chat message stored once?

    .venv/bin/python bench/fault_postgres_restart.py                # 12 readers, 3 chatting, 24 s, down 6 s
    .venv/bin/python bench/fault_postgres_restart.py --clients 40 --down 10 --processes 2

It starts its own PostgreSQL cluster (``bench/_private_postgres.py``: initdb in a temporary folder,
a free loopback port; the machine's shared server is never touched), a database with one published
contest, its live public room and a few signed-in people, and daphne on it (``--processes``). With
REDIS_URL set, daphne uses Redis as in production. Readers request pages and API lists back to
back; chat writers post over the room socket, resending with the same ``client_id`` until
acknowledged (room.js). A third of the way in, PostgreSQL is stopped (``pg_ctl stop -m fast``, as an
operator's restart ends every session) and started again ``--down`` seconds later.

It prints what happened and exits 1 when: a request got a 500 or no answer at all; a request
failed that had nothing to do with the outage (it began more than ``--recovery`` seconds after
PostgreSQL was back, or ended before it went down); no page answered after the restart; or an
acknowledged message is missing or a message is stored twice.
"""

import argparse
import json
import sys
import threading
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from _private_postgres import PrivatePostgres, postgres_bin_dir  # noqa: E402
from _site import site_servers  # noqa: E402
from contest_day import (  # noqa: E402
    CONTEST,
    ROOM,
    ChatWriter,
    check_writes,
    run_browsing,
    transcript_counts,
)

FAULT_MIX = [
    ("home", "/", 2),
    ("event", f"/events/{CONTEST}/", 2),
    ("room", f"/rooms/{ROOM}/", 2),
    ("api-events", "/api/v1/events/", 1),
    ("api-rooms", "/api/v1/rooms/", 1),
]

# One contest with its live public room, an organiser (reads the transcript) and people who chat;
# prints {"organiser": session, "people": [session, ...]}.
SETUP = """
import datetime as dt, json
from django.test import Client
from accounts.models import User
from events.models import Event, EventRole, Role
from livestream.models import RoadshowRoom
event = Event.objects.create(slug=%(contest)r, title_en="Contest", title_zh="大赛", starts_on=dt.date(2026, 1, 1),
                             ends_on=dt.date(2026, 12, 31), is_published=True)
RoadshowRoom.objects.create(event=event, slug=%(room)r, title_en="Final", title_zh="决赛", status="live")
def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
organiser = User.objects.create_user("organiser@fault.example", "x", name_en="Organiser")
EventRole.objects.create(event=event, user=organiser, role=Role.ORGANISER)
people = [User.objects.create_user(f"person{n}@fault.example", "x", name_en=f"Person {n}") for n in range(%(people)d)]
print(json.dumps({"organiser": session(organiser), "people": [session(p) for p in people]}))
"""


def overlaps_outage(sample, down_at: float, back_at: float, recovery: float) -> bool:
    """A request may fail if it was in flight while the server was down or recovering."""
    return sample.started + sample.elapsed >= down_at and sample.started <= back_at + recovery


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--chat-writers", type=int, default=3)
    parser.add_argument("--chat-every", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=24.0)
    parser.add_argument("--down", type=float, default=6.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--recovery", type=float, default=5.0, help="seconds allowed to answer again once it is back")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--log", type=Path, help="write daphne's log here")
    parser.add_argument("--debug", action="store_true", help="serve with DEBUG on (no collectstatic: quicker)")
    args = parser.parse_args()
    if args.seconds / 3 + args.down + args.recovery + 3 > args.seconds:
        parser.error("--seconds must leave a few seconds of traffic after the outage and --recovery")
    if postgres_bin_dir() is None:
        print("skipped: PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        return 0

    with PrivatePostgres() as server:
        setup = SETUP % {"contest": CONTEST, "room": ROOM, "people": max(args.chat_writers, 1) + 4}
        env = {"LIVESTREAM_CHAT_PER_10S": "1000"}
        with site_servers(server.url(), processes=args.processes, env=env, setup=setup, debug=args.debug) as site:
            sessions = json.loads(site.setup_output.strip().splitlines()[-1])
            people = sessions["people"]
            marker = f"fault-{uuid.uuid4().hex[:8]}"
            writers = [
                ChatWriter(
                    site.base_urls[i % len(site.base_urls)],
                    people[i],
                    marker=marker,
                    every=args.chat_every,
                    seconds=args.seconds,
                    ack_timeout=args.down + args.recovery + 5,
                )
                for i in range(args.chat_writers)
            ]
            timeline: dict[str, float] = {}
            started = time.monotonic()

            def fault() -> None:
                time.sleep(args.seconds / 3)
                timeline["down_at"] = time.monotonic() - started
                server.stop("fast")
                time.sleep(args.down)
                server.start()
                timeline["back_at"] = time.monotonic() - started

            fault_thread = threading.Thread(target=fault, daemon=True)
            for writer in writers:
                writer.start()
            fault_thread.start()
            results = run_browsing(
                site.base_urls, people, clients=args.clients, seconds=args.seconds, mix=FAULT_MIX, seed=7
            )
            fault_thread.join(60)
            for writer in writers:
                writer.join(args.down + args.recovery + 30)
            # The readers' clock started a moment after ours: move the outage onto their clock.
            offset = results.samples[0].started if results.samples else 0.0
            down_at, back_at = timeline["down_at"] - offset, timeline["back_at"] - offset
            stored = transcript_counts(site.base_urls[0], sessions["organiser"], marker)
            writes = check_writes(writers, stored)
            if args.log:
                args.log.write_text("".join(path.read_text(errors="replace") for path in site.log_paths))

    summary = results.summary()
    failed = results.failed()
    stray = [s for s in failed if not overlaps_outage(s, down_at, back_at, args.recovery)]
    after = [s for s in results.samples if s.started > back_at + args.recovery]
    last_failure = max((s.started + s.elapsed for s in failed), default=None)
    print(f"outage: down at {down_at:.1f} s, back at {back_at:.1f} s (run {results.seconds:.1f} s)")
    print(
        f"requests: {summary['requests']}, 503: {summary['503']}, 500: {summary['500']}, "
        f"no answer: {summary['no_answer']}, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms"
    )
    answered_again = "never" if last_failure is None else f"{max(0.0, last_failure - back_at):.1f} s"
    print(f"failures outside the outage: {len(stray)}; last failure ended {answered_again} after it was back")
    print(f"pages answered after recovery: {sum(1 for s in after if s.status == 200)} of {len(after)}")
    print(
        f"chat: {writes['acknowledged']} acknowledged of {writes['sent']} sent, "
        f"{writes['acknowledged_missing']} acknowledged but missing, {writes['stored_twice']} stored twice, "
        f"reconnects {writes['reconnects']}, refused {writes['refused']}"
    )
    problems = []
    if summary["500"] or summary["no_answer"] or summary["5xx"] != summary["503"]:
        problems.append("a request got a 500 or no answer")
    if stray:
        problems.append(f"{len(stray)} requests failed outside the outage")
    if not any(s.status == 200 for s in after):
        problems.append("no page answered after the restart")
    if writes["acknowledged_missing"] or writes["stored_twice"] or writes["stored_unknown"]:
        problems.append("chat messages lost or stored twice")
    if not writes["acknowledged"] and args.chat_writers:
        problems.append("no chat message was acknowledged")
    print("OK" if not problems else "FAILED: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
