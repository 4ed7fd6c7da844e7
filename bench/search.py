"""Search benchmark: 1,000,000 songs, 100,000 artists, 200,000 albums and 50,000 public playlists.

Starts its own isolated stack (free ports, a throw-away data folder) and stops it. The catalog is
generated in-process from a fixed seed (names in English, Swahili, Spanish, French, Portuguese, German,
Japanese, Chinese, Korean, Russian and Arabic, words drawn Zipf-like so "love" is common), loaded with
COPY, indexed by ``sauti search reindex``'s function, then a query mix is timed through GET /search
(local gateway, token check, handler) beside two naive baselines on the same data.

    make bench                     # every benchmark
    .venv/bin/python bench/search.py
    BENCH_SONGS=100000 .venv/bin/python bench/search.py   # smaller catalog, same proportions
    BENCH_SEARCH_CACHE=/var/tmp/sauti-search .venv/bin/python bench/search.py  # keep and reuse the catalog

Every bulk statement of the bench runs without a statement timeout and without the client's round-trip
deadline, so the figures come out however loaded the machine is; the searches themselves keep the
service's own timeouts.
"""

from __future__ import annotations

import os
import random
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "tests")]

from sauti_dev.benchmarking import bench_stack, percentile  # noqa: E402

SONGS = int(os.environ.get("BENCH_SONGS", "1000000"))
CACHE = os.environ.get("BENCH_SEARCH_CACHE")  # a folder: the loaded catalog is kept there and reused
ARTISTS, ALBUMS, PLAYLISTS = SONGS // 10, SONGS // 5, SONGS // 20
SEED = 1414
QUERIES_PER_CATEGORY = 60
SUGGESTS = 300
BASELINE_EVERY = 3  # the baselines take up to a second a query: every third query of the mix

WORDS = {
    "en": (
        "love night heart dance fire dream baby girl light rain sun summer midnight "
        "forever home sky river gold wild blue city road story world time beautiful "
        "morning paradise thunder shadow angel memory sweet lonely crazy money party "
        "freedom tonight heaven ocean storm broken golden electric summertime california "
        "yesterday tomorrow together whisper diamond butterfly universe champion"
    ),
    "sw": (
        "upendo moyo usiku nyota mvua jua safari mapenzi dunia amani furaha malaika "
        "mawimbi pwani bahari sauti nakupenda tamu zamani wimbo mama baba rafiki nyumbani "
        "asante karibu maisha ndoto"
    ),
    "es": (
        "amor corazón noche canción mañana sueño vida fuego cielo bailar niña señorita "
        "estrella playa alegría pasión después también corazones"
    ),
    "fr": ("amour cœur été rêve étoile lumière chanson fête mémoire soleil déjà éternité"),
    "pt": ("saudade coração verão mãe ilusão paixão"),
    "de": ("liebe nacht herz träume über schön größer straße"),
    "ja": ("東京 夜空 恋人 桜 夢 愛 花火 雨 星 約束 さくら ありがとう タワー ラブ ソング 君の名は 青い 春"),
    "zh": ("爱 月亮 城市 青春 告白 晴天 时间 故乡 梦想 朋友"),
    "ko": ("사랑 밤 별 눈물 너와 우리 봄날 하늘 노래"),
    "ru": ("любовь ночь звезда город сердце весна"),
    "ar": ("حب ليل قلب نور حبيبي"),
}
LANGUAGE_WEIGHTS = {
    "en": 40,
    "sw": 15,
    "es": 10,
    "fr": 6,
    "pt": 4,
    "de": 4,
    "ja": 7,
    "zh": 5,
    "ko": 4,
    "ru": 3,
    "ar": 2,
}
_PAIRS = "kamanizuletorisamobakuwayanalofidejavirogetuponehamikelada"
SYLLABLES = [_PAIRS[i : i + 2] for i in range(0, len(_PAIRS), 2)]


def made_up_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


class Generator:
    """Names drawn from each language's words, most common first (Zipf), plus made-up words."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.languages = list(LANGUAGE_WEIGHTS)
        self.language_weights = list(LANGUAGE_WEIGHTS.values())
        self.words = {lang: words.split() for lang, words in WORDS.items()}
        self.weights = {lang: [1 / (i + 1) for i in range(len(w))] for lang, w in self.words.items()}
        self.invented = list(dict.fromkeys(made_up_word(rng) for _ in range(40_000)))

    def title(self) -> str:
        lang = self.rng.choices(self.languages, self.language_weights)[0]
        count = self.rng.choice((1, 2, 2, 3, 3, 4))
        words = self.rng.choices(self.words[lang], self.weights[lang], k=count)
        if lang in ("en", "sw") and self.rng.random() < 0.5:
            words[self.rng.randrange(len(words))] = self.rng.choice(self.invented)
        separator = "" if lang in ("ja", "zh") else " "
        text = separator.join(words)
        return text.title() if lang not in ("ja", "zh", "ko", "ar") else text

    def person(self) -> str:
        first = self.rng.choice(self.invented).title()
        return (
            f"{first} {self.rng.choice(self.invented).title()}" if self.rng.random() < 0.7 else self.title()
        )


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate() -> dict[str, Any]:
    rng = random.Random(SEED)
    names = Generator(rng)
    artists = [(uid(rng), names.person()) for _ in range(ARTISTS)]
    albums = []
    for _ in range(ALBUMS):
        artist = artists[rng.randrange(ARTISTS)]
        albums.append(
            (uid(rng), artist[0], names.title(), date(rng.randint(1970, 2026), rng.randint(1, 12), 1))
        )
    songs = []
    for index in range(SONGS):
        album = albums[index % ALBUMS] if index < ALBUMS else albums[rng.randrange(ALBUMS)]
        isrc = f"KE{chr(65 + index % 26)}{index:09d}"
        songs.append((uid(rng), album[1], album[0], names.title(), rng.randint(90_000, 400_000), isrc))
    playlists = [
        {"id": uid(rng), "name": names.title(), "owner": {"id": uid(rng), "display_name": names.person()}}
        for _ in range(PLAYLISTS)
    ]
    playlists.sort(key=lambda row: row["id"])
    # Plays: a few songs are hits, most get a handful, a third none.
    plays = [
        (song[0], int(100_000 / (rank + 1) ** 0.8))
        for rank, song in enumerate(rng.sample(songs, SONGS * 2 // 3))
    ]
    return {"artists": artists, "albums": albums, "songs": songs, "playlists": playlists, "plays": plays}


@contextmanager
def unbounded() -> Iterator[Any]:
    """A transaction that waits on the server as long as it takes (statement timeout and client deadline
    lifted): a loaded machine makes the bench slower, never makes it fail."""
    from sauti.db import lift_client_deadline, transaction

    with transaction() as conn:
        conn.execute("SET LOCAL statement_timeout = 0")
        lift_client_deadline(conn)
        yield conn


def loaded_before() -> bool:
    with unbounded() as conn:
        row = conn.execute("SELECT to_regclass('bench_catalog') IS NOT NULL AS kept").fetchone()
        return bool(row and row["kept"] and conn.execute("SELECT songs FROM bench_catalog").fetchone())


def load(data: dict[str, Any]) -> float:
    started = time.perf_counter()
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    with unbounded() as conn:
        with conn.cursor().copy("COPY artists (id, name) FROM STDIN") as copy:
            for row in data["artists"]:
                copy.write_row(row)
        with conn.cursor().copy(
            "COPY albums (id, artist_id, title, release_date, status) FROM STDIN"
        ) as copy:
            for row in data["albums"]:
                copy.write_row((*row, "published"))
        with conn.cursor().copy(
            "COPY songs (id, artist_id, album_id, title, duration_ms, isrc, status, published_at) FROM STDIN"
        ) as copy:
            now = datetime.now(UTC)
            for row in data["songs"]:
                copy.write_row((*row, "published", now))
        with conn.cursor().copy(
            "COPY song_daily_stats (day, song_id, plays, listeners, raw_plays) FROM STDIN"
        ) as copy:
            for song_id, plays in data["plays"]:
                copy.write_row((yesterday, song_id, plays, max(1, plays // 3), plays))
        conn.execute("CREATE TABLE bench_catalog AS SELECT %s::int AS songs", (SONGS,))
    with unbounded() as conn:
        for table in ("artists", "albums", "songs", "song_daily_stats"):
            conn.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


class BenchPlaylists:
    """The playlists module's feed, answered from the generated public playlists."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows
        self.by_id = {row["id"]: row for row in rows}

    def visible_playlists(self, ids=None, *, after=None, limit=5000):  # type: ignore[no-untyped-def]
        if ids is not None:
            return [self.by_id[i] for i in ids if i in self.by_id]
        import bisect

        start = 0 if after is None else bisect.bisect_right([row["id"] for row in self.rows], after)
        return self.rows[start : start + limit]


def strip_accents(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioukmst") + word[i + 1 :]


Query = tuple[str, str | None]  # what is typed, and the song it is typed for (None: any answer)


def query_mix(data: dict[str, Any]) -> dict[str, list[Query]]:
    """Queries a listener would type, drawn from the catalog (the popular part more often), each with the
    song it was typed for where there is one."""
    rng = random.Random(SEED + 1)
    songs = data["songs"]
    popular = [songs[i] for i in range(0, SONGS, max(1, SONGS // 5000))]
    latin = [s for s in popular if s[3].isascii()]
    accented = [s for s in popular if not s[3].isascii() and strip_accents(s[3]).isascii()]
    cjk = [s for s in popular if any("\u3040" <= c <= "\u9fff" for c in s[3])]
    several = [s for s in latin if len(s[3].split()) >= 2]
    artist_names = {a[0]: a[1] for a in data["artists"]}
    long_words = [w for s in latin for w in s[3].lower().split() if len(w) >= 8]
    mid_words = [w for s in latin for w in s[3].lower().split() if 4 <= len(w) < 8]
    n = QUERIES_PER_CATEGORY

    def typed_to(song: tuple[Any, ...], length: int) -> Query:
        return song[3][:length], song[0]

    def short_last_word(song: tuple[Any, ...]) -> Query:
        words = song[3].split()
        return " ".join(words[:-1]) + " " + words[-1][: rng.randint(1, 2)], song[0]

    return {
        "exact title": [((s := rng.choice(latin))[3] + " ", s[0]) for _ in range(n)],
        "prefix as typed": [typed_to(s := rng.choice(latin), rng.randint(2, len(s[3]))) for _ in range(n)],
        "short last word as typed": [short_last_word(rng.choice(several)) for _ in range(n)],
        "one typo": [(typo(rng.choice(mid_words), rng) + " ", None) for _ in range(n)],
        "two typos": [(typo(typo(rng.choice(long_words), rng), rng) + " ", None) for _ in range(n)],
        "accentless": [(strip_accents((s := rng.choice(accented))[3]).lower() + " ", s[0]) for _ in range(n)],
        "CJK substring": [
            ((t := rng.choice(cjk)[3])[: max(1, min(len(t), rng.randint(1, 3)))], None) for _ in range(n)
        ],
        "field filters": [
            (
                rng.choice(
                    (
                        f'artist:"{artist_names[(s := rng.choice(latin))[1]]}"',
                        f"year:{rng.randint(1970, 2026)} {rng.choice(mid_words)}",
                        f"{s[3].split()[0]} artist:{artist_names[s[1]].split()[0]}",
                        f"isrc:{s[5]}",
                    )
                ),
                None,
            )
            for _ in range(n)
        ],
        "common words": [
            (rng.choice(("love", "love ", "night", "amor", "upendo", "baby", "moyo", "heart")), None)
            for _ in range(n)
        ],
    }


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def line(name: str, samples: list[float], note: str = "") -> str:
    return (
        f"{name:<34} p50 {percentile(samples, 0.5):8.2f} ms  p95 {percentile(samples, 0.95):8.2f} ms"
        f"  p99 {percentile(samples, 0.99):8.2f} ms  ({len(samples)} queries) {note}"
    )


def main() -> None:
    print(f"load before the run: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    keep_in = Path(CACHE) / f"songs-{SONGS}" if CACHE else None
    with bench_stack("sauti-bench-search-", keep_in=keep_in):
        run()


def run() -> None:
    from helpers import Api
    from sauti.search import logic
    from sauti.search.documents import KINDS
    from sauti.search.public import apply_catalog_change, reindex, use_playlist_feed
    from sauti.tokens import issue_access_token
    from sauti_dev.gateway import LocalGateway
    from sauti_dev.lambdas import LocalFunctions

    started = time.perf_counter()
    data = generate()
    print(
        f"generated {SONGS:,} songs, {ARTISTS:,} artists, {ALBUMS:,} albums, {PLAYLISTS:,} public playlists, "
        f"{len(data['plays']):,} songs with plays (seed {SEED}) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if loaded_before():
        print(f"catalog loaded by an earlier run, kept in {CACHE}", flush=True)
    else:
        print(f"loaded into the catalog with COPY in {load(data):.1f} s", flush=True)
    use_playlist_feed(BenchPlaylists(data["playlists"]))

    last = [0.0]

    def progress(message: str) -> None:
        if time.perf_counter() - last[0] > 10 or "building" in message:
            last[0] = time.perf_counter()
            print(f"  reindex: {message}", flush=True)

    rebuilt = reindex(progress=progress)
    print(
        f"index build (sauti search reindex): {rebuilt.seconds:.1f} s; {rebuilt.docs:,} documents, "
        f"{rebuilt.postings:,} postings, {rebuilt.terms:,} terms; "
        f"{rebuilt.bytes / 2**20:,.0f} MiB with indexes",
        flush=True,
    )

    all_kinds = list(KINDS.values())
    mix = query_mix(data)
    api = Api(LocalGateway(LocalFunctions()))
    token = issue_access_token(str(uuid.uuid4()), [])[0]

    def search(q: str) -> Any:
        response = api.get("/search", token=token, query={"q": q})
        assert response.status == 200, response.body
        return response.json()

    for q in ("warm up", "love", "東京"):
        search(q)
    print(
        "\nGET /search in-process (local gateway, token check, handler, PostgreSQL), all four result types;"
        "\n'engine' is the same query through sauti.search.logic.search alone (no gateway, handler, models):"
    )
    every: list[float] = []
    engine_every: list[float] = []
    for category, queries in mix.items():
        samples, engine, found, targets, hit = [], [], 0, 0, 0
        for q, target in queries:
            started = time.perf_counter()
            answer = search(q)
            samples.append((time.perf_counter() - started) * 1000)
            engine.append(timed(lambda q=q: logic.search(q, all_kinds, 10)))
            found += bool(_hits(answer))
            if target is not None:
                targets += 1
                hit += target in [item["id"] for item in answer["songs"]["items"]]
        every += samples
        engine_every += engine
        note = f"{found}/{len(queries)} found something" + (
            f", {hit}/{targets} the song typed for in the top 10" if targets else ""
        )
        print("  " + line(category, samples, note), flush=True)
        print("  " + line("  engine", engine), flush=True)
    print("  " + line("whole mix", every, "(target p95 < 20 ms)"))
    print("  " + line("whole mix, engine", engine_every, "(target p95 < 20 ms)"))

    def suggest(q: str) -> Any:
        response = api.get("/search/suggest", token=token, query={"q": q})
        assert response.status == 200, response.body

    rng = random.Random(SEED + 2)
    typed = [(t := rng.choice(data["songs"])[3])[: rng.randint(1, min(len(t), 8))] for _ in range(SUGGESTS)]
    print(
        "  "
        + line(
            "GET /search/suggest (as typed)",
            [timed(lambda q=q: suggest(q)) for q in typed],
            "(target p95 < 10 ms)",
        )
    )
    engine = [timed(lambda q=q: logic.suggest(q)) for q in typed]
    print("  " + line("  engine", engine, "(target p95 < 10 ms)"))

    baselines(mix)
    freshness(data, search, apply_catalog_change)
    print(f"load after the run: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


def _hits(found: dict[str, Any]) -> int:
    return sum(len(found[kind]["items"]) for kind in ("songs", "artists", "albums", "playlists"))


def baselines(mix: dict[str, list[Query]]) -> None:
    """The naive designs, songs only, on the same data and queries, each with the index that suits it."""
    with unbounded() as conn:
        conn.execute("DROP INDEX IF EXISTS bench_songs_fts, bench_songs_trgm")  # a kept catalog has them
        started = time.perf_counter()
        conn.execute("CREATE INDEX bench_songs_fts ON songs USING gin (to_tsvector('simple', title))")
        fts_build = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("CREATE INDEX bench_songs_trgm ON songs USING gin (title gin_trgm_ops)")
        trgm_build = time.perf_counter() - started
        conn.execute("ANALYZE songs")
    print(
        "\nnaive baselines over songs only (their indexes built in: "
        f"tsvector GIN {fts_build:.1f} s, trigram GIN {trgm_build:.1f} s):"
    )
    naive = {
        "to_tsvector @@ plainto_tsquery ORDER BY ts_rank": """
            SELECT id, title FROM songs
            WHERE status = 'published' AND to_tsvector('simple', title) @@ plainto_tsquery('simple', %(q)s)
            ORDER BY ts_rank(to_tsvector('simple', title), plainto_tsquery('simple', %(q)s)) DESC LIMIT 10""",
        "ILIKE '%q%'": """
            SELECT id, title FROM songs WHERE status = 'published' AND title ILIKE %(like)s LIMIT 10""",
    }
    for name, sql in naive.items():
        every, found = [], 0
        for queries in mix.values():
            for q, _ in queries[::BASELINE_EVERY]:
                like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                with unbounded() as conn:
                    started = time.perf_counter()
                    rows = conn.execute(sql, {"q": q, "like": like}).fetchall()
                    every.append((time.perf_counter() - started) * 1000)
                found += bool(rows)
        print("  " + line(name, every, f"{found}/{len(every)} found something"), flush=True)


def freshness(
    data: dict[str, Any], search: Callable[[str], Any], apply: Callable[[dict[str, Any]], None]
) -> None:
    """From the catalog's commit to the change showing in /search: the indexer's work on the event plus
    a search (EventBridge's own delivery, typically well under a second, comes on top in AWS)."""
    from sauti.catalog import logic

    song_id, artist_id = data["songs"][12_345 % SONGS][:2]
    title = f"Zanzibar Sunrise {uuid.uuid4().hex[:6]}"
    samples = []
    for change, fields in (
        ("updated", {"title": title}),
        ("taken_down", {"status": "taken_down"}),
        ("restored", {"status": "published"}),
    ):
        started = time.perf_counter()
        logic.update_song(song_id, **fields)
        apply(
            {
                "kind": "song",
                "id": song_id,
                "artist_id": artist_id,
                "status": fields.get("status", "published"),
                "change": change,
            }
        )
        ids = [item["id"] for item in search(title + " ")["songs"]["items"]]
        assert (song_id in ids) == (change != "taken_down"), (change, ids)
        samples.append((time.perf_counter() - started) * 1000)
    logic.update_song(song_id, title=data["songs"][12_345 % SONGS][3])  # a kept catalog stays as generated
    print(
        "\na catalog change shows in /search (write, indexer on its event, search): "
        + ", ".join(
            f"{name} {ms:.1f} ms"
            for name, ms in zip(("rename", "take-down", "restore"), samples, strict=True)
        )
    )


if __name__ == "__main__":
    main()
