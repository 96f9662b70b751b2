"""Load steps on the running stack (`make stack`) with Locust: phone users at rising numbers.

    .venv/bin/python bench/stack_load.py [--steps 10,25,50,100,200] [--seconds 30]
                                         [--out bench/figures/stack_load.txt]

Locust (a kept load tool, used as a library) drives simulated phone users against nginx on
127.0.0.1:8180: each waits 1-3 s between actions (reading, scrolling) and does a mix of
home, collection pages (plain and with the filters their pages link to), item pages, search
with facets, suggest, IIIF info.json and tiles (pre-cut and off-grid) and audio Range
requests. One user in a hundred (at least one) is a curator who signs in to the admin and
sends a 3-second recording to an unpublished item through the resumable (tus) upload, every
10-20 s; the stack's workers then make its derivatives while the phones browse. Each step
spawns its users, lets
them settle for 5 s, then counts ``--seconds``: requests/s, p50/p95/p99 of pages (HTML) and
of everything, 5xx and failures. The knee is the first step whose page p95 is over 300 ms or
that serves any 5xx; the issue's goal is 200 users with page p95 < 300 ms and zero 5xx.
Bounded: stops by itself after the last step. Figures go to ``--out`` (the README quotes it).
"""

from __future__ import annotations

# Locust runs on gevent: patch first, before anything opens a socket.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import base64  # noqa: E402
import collections  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import wave  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack_faults import BASE, HTTP, REPO, health, shell, write_figures  # noqa: E402

URLS = """
import json
from django.contrib.auth.models import AnonymousUser
from archive.access import policy
from archive.assets.models import MediaAsset
from archive.items.models import ItemPage
items = [p.url for p in policy.visible_items(ItemPage.objects.live(), AnonymousUser())[:200]]
anyone = AnonymousUser()
ready = policy.visible_assets(MediaAsset.objects.filter(status='ready'), anyone)
shown = lambda assets: [a.pk for a in assets[:40] if policy.can_view_asset(anyone, a)]
audio = shown(ready.filter(derivatives__name='opus'))
images = shown(ready.filter(original__kind='image'))
from archive.vocabularies.models import Motif, Technique, Genre, Festival, Material
words = sorted({w for m in (Motif, Technique, Genre, Festival, Material)
    for pair in m.objects.values_list('label_zh', 'label_en') for w in pair if w})
print(json.dumps({'items': items, 'audio': audio, 'images': images, 'words': words}))
"""
CURATOR = """
import json, secrets
from django.contrib.auth.models import Group, User
from archive.items.models import RecordingPage
user, _ = User.objects.get_or_create(username='load-curator', defaults={'is_staff': True})
password = secrets.token_urlsafe(16)
user.set_password(password)
user.save()
user.groups.add(Group.objects.get(name='Curators'))
item = RecordingPage.objects.filter(slug='load-test-uploads').first()
if item is None:
    source = RecordingPage.objects.live().first()
    item = source.copy(keep_live=False, update_attrs={'slug': 'load-test-uploads',
        'title': 'Load test uploads', 'identifier': 'MHA-LOAD-0001'})
print(json.dumps({'username': user.username, 'password': password, 'item': item.pk}))
"""
PAGE_KINDS = ("home", "collection", "collection filtered", "item", "search")
#: Searches are the vocabularies' words in Chinese and English (a few hundred, so most are
#: not in the page cache yet), with a facet chosen a quarter of the time each.
WORDS: list[str] = []


def discover() -> dict:
    urls = json.loads(shell(URLS))
    filters = []
    for collection in ("/embroidery/", "/folk-music/", "/dialects/"):
        with HTTP.open(BASE + collection, timeout=30) as response:
            html = response.read().decode()
        for query in set(re.findall(r'href="(\?[^"#]+)"', html)):
            filters.append(collection + query.replace("&amp;", "&"))
    urls["collections"] = ["/embroidery/", "/folk-music/", "/dialects/"]
    urls["filtered"] = filters or urls["collections"]
    return urls


URLS_FOUND: dict = {}
UPLOADS: collections.Counter = collections.Counter()


def tone(seconds: float = 3.0, rate: int = 22050) -> bytes:
    """A short mono WAV, as a curator's recorder would hand it over."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        value = int(12000 * math.sin(2 * math.pi * 440 * n / rate))
        frames += value.to_bytes(2, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(bytes(frames))
    return out.getvalue()


def meta(**values) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in values.items())


class Phone(FastHttpUser):
    """A visitor on a phone: reads a while between taps (geventhttpclient: the client's own
    cost per request is a fraction of ``requests``', so the figures are the server's)."""

    wait_time = between(1, 3)

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def collection(self):
        self.client.get(random.choice(URLS_FOUND["collections"]), name="collection")

    @task(2)
    def collection_filtered(self):
        self.client.get(random.choice(URLS_FOUND["filtered"]), name="collection filtered")

    @task(4)
    def item(self):
        self.client.get(random.choice(URLS_FOUND["items"]), name="item")

    @task(3)
    def search(self):
        word = random.choice(WORDS)
        facet = random.choice(["", "&type=recording", "&type=pattern", "&collection=embroidery"])
        self.client.get(f"/search/?q={quote(word)}{facet}", name="search")

    @task(2)
    def suggest(self):
        prefix = quote(random.choice(WORDS)[:2])
        self.client.get(f"/api/v1/search/suggest?q={prefix}", name="suggest")

    @task(2)
    def info(self):
        image = random.choice(URLS_FOUND["images"])
        self.client.get(f"/iiif/3/{image}/info.json", name="iiif info.json")

    @task(6)
    def tiles(self):
        image = random.choice(URLS_FOUND["images"])
        for x in range(2):  # a viewer asks for a few tiles at once
            self.client.get(
                f"/iiif/3/{image}/{x * 512},0,512,512/512,512/0/default.jpg", name="tile pre-cut"
            )
        x = random.randrange(4) * 256
        self.client.get(
            f"/iiif/3/{image}/{x},0,256,256/256,256/0/default.jpg", name="tile off-grid"
        )

    @task(2)
    def audio(self):
        asset = random.choice(URLS_FOUND["audio"])
        start = random.randrange(0, 20000)
        self.client.get(
            f"/assets/{asset}/opus",
            headers={"Range": f"bytes={start}-{start + 65535}"},
            name="audio range",
        )


class Curator(HttpUser):
    """A curator at the county centre: signs in, sends a recording now and then."""

    wait_time = between(10, 20)
    fixed_count = 1  # set per step: one in a hundred users, at least one

    def on_start(self):
        self.client.get("/admin/login/", name="admin login")
        csrf = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/admin/login/",
            {
                "username": URLS_FOUND["curator"]["username"],
                "password": URLS_FOUND["curator"]["password"],
                "csrfmiddlewaretoken": csrf,
                "next": "/admin/",
            },
            headers={"Referer": BASE + "/admin/login/"},
            name="admin login",
        )

    @task
    def upload(self):
        body = URLS_FOUND["tone"]
        headers = {
            "Tus-Resumable": "1.0.0",
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
        }
        created = self.client.post(
            "/admin/uploads/tus/",
            headers={
                **headers,
                "Upload-Length": str(len(body)),
                "Upload-Metadata": meta(item=URLS_FOUND["curator"]["item"], filename="飞歌.wav"),
            },
            name="upload create",
        )
        UPLOADS[f"create {created.status_code}"] += 1
        location = created.headers.get("Location")
        if created.status_code != 201 or not location:
            return
        sent = self.client.request(
            "PATCH",
            location,
            data=body,
            headers={
                **headers,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": "0",
            },
            name="upload send",
        )
        UPLOADS[f"send {sent.status_code}"] += 1


def percentile(times: collections.Counter, q: float) -> float:
    total = sum(times.values())
    if not total:
        return 0.0
    seen = 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= q * total:
            return float(ms)
    return float(max(times))


def step(env: Environment, users: int, seconds: float) -> dict:
    runner = env.runner
    Curator.fixed_count = max(1, users // 100)
    UPLOADS.clear()
    runner.start(users, spawn_rate=max(users / 5, 1))
    gevent.sleep(5 + users / max(users / 5, 1))  # spawned, and settled
    env.stats.reset_all()
    statuses: collections.Counter = collections.Counter()

    def on_request(response=None, **kwargs):
        if response is not None:
            statuses[getattr(response, "status_code", 0) or 0] += 1

    events.request.add_listener(on_request)
    started = time.monotonic()
    gevent.sleep(seconds)
    took = time.monotonic() - started
    events.request.remove_listener(on_request)
    pages: collections.Counter = collections.Counter()
    everything: collections.Counter = collections.Counter()
    per_kind = {}
    for (name, _method), entry in env.stats.entries.items():
        everything.update(entry.response_times)
        if name in PAGE_KINDS:
            pages.update(entry.response_times)
        per_kind[name] = {
            "n": entry.num_requests,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
        }
    total = env.stats.total
    return {
        "users": users,
        "rps": round(total.num_requests / took, 1),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "pages_p50_ms": percentile(pages, 0.5),
        "pages_p95_ms": percentile(pages, 0.95),
        "pages_p99_ms": percentile(pages, 0.99),
        "all_p50_ms": percentile(everything, 0.5),
        "all_p95_ms": percentile(everything, 0.95),
        "all_p99_ms": percentile(everything, 0.99),
        "per_kind": per_kind,
        "uploads": dict(UPLOADS),
        "errors": {
            f"{error.name}: {error.error}"[:160]: error.occurrences
            for error in env.stats.errors.values()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="10,25,50,100,200")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", default=str(REPO / "bench" / "figures" / "stack_load.txt"))
    args = parser.parse_args()
    if health().get("status") != "ok":
        raise SystemExit(f"the stack is not healthy: {health()} (make stack)")
    URLS_FOUND.update(discover())
    WORDS.extend(URLS_FOUND["words"])
    URLS_FOUND["curator"] = json.loads(shell(CURATOR))
    URLS_FOUND["tone"] = tone()
    env = Environment(user_classes=[Phone, Curator], host=BASE, events=events)
    env.create_local_runner()
    lines = [
        f"# bench/stack_load.py --steps {args.steps} --seconds {args.seconds:g} "
        f"({time.strftime('%F %T')}); phone users waiting 1-3 s between actions",
        f"{'users':>5} {'req/s':>7} {'pages p50':>9} {'p95':>6} {'p99':>6} "
        f"{'all p50':>7} {'p95':>6} {'p99':>6} {'5xx':>4} {'fail':>4}  uploads",
    ]
    print("\n".join(lines), flush=True)
    knee = None
    results = []
    for users in (int(n) for n in args.steps.split(",")):
        result = step(env, users, args.seconds)
        results.append(result)
        row = (
            f"{users:>5} {result['rps']:>7} {result['pages_p50_ms']:>9.0f} "
            f"{result['pages_p95_ms']:>6.0f} {result['pages_p99_ms']:>6.0f} "
            f"{result['all_p50_ms']:>7.0f} {result['all_p95_ms']:>6.0f} "
            f"{result['all_p99_ms']:>6.0f} {result['5xx']:>4} {result['failures']:>4}"
            f"  {json.dumps(result['uploads'])}"
        )
        print(row, flush=True)
        lines.append(row)
        if knee is None and (result["pages_p95_ms"] > 300 or result["5xx"]):
            knee = users
    env.runner.quit()
    lines.append(
        f"knee (first step with page p95 > 300 ms or any 5xx): "
        f"{knee if knee is not None else 'none up to ' + args.steps.split(',')[-1]} users"
    )
    for result in results:
        lines.append(f"per kind at {result['users']}: {json.dumps(result['per_kind'])}")
        lines.append(
            f"errors at {result['users']}: {json.dumps(result['errors'], ensure_ascii=False)}"
        )
    print(lines[-len(results) - 1])
    write_figures(args.out, lines)


if __name__ == "__main__":
    main()
