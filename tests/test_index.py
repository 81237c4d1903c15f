"""The persistent index: incremental dedup across runs, canonical choice, rebuilds, mismatches."""

import json
import random
import shutil
import sqlite3
from itertools import groupby
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp import Options, run
from cleancorp.cli import main
from cleancorp.dedup import DedupSettings
from cleancorp.index import INDEX_NAME, CorpusIndex, IndexMismatch, IndexParams, Sightings
from cleancorp.reindex import EarlierRuns
from cleancorp.signing import shingle_array

from .conftest import DATA, read_tree

CORPUS = DATA / "corpus_small"
ONE_JOB = Options(jobs=1)
STORY = [
    "The harbour authority approved on Monday a plan to dredge the northern channel, which has silted "
    "up so badly that container ships must wait for high tide before they can reach the quay.",
    "Engineers expect the work to take eighteen months and to cost about forty million dollars, most "
    "of it paid by the port's operators, who say the delays cost them more than that every year.",
    "Fishermen who moor in the channel fear the dredging will drive away the fish that spawn in its "
    "mud banks each spring, and they asked the authority to stop the work between March and May.",
    "The authority said it would study the request and publish its answer before the end of the month.",
]


WORDS = [
    "bridge",
    "river",
    "council",
    "budget",
    "school",
    "teacher",
    "hospital",
    "nurse",
    "farmer",
    "harvest",
    "railway",
    "station",
    "mayor",
    "election",
    "museum",
    "painting",
    "festival",
    "music",
    "storm",
    "flood",
    "harbour",
    "ship",
    "factory",
    "worker",
    "library",
    "book",
    "market",
    "price",
    "court",
    "judge",
    "police",
    "officer",
    "garden",
    "park",
    "airport",
    "flight",
    "bakery",
    "bread",
    "theatre",
    "actor",
]


def distinct_story(number: int) -> list[str]:
    """Three paragraphs no other number's story shares a shingle with."""
    rng = random.Random(number)
    words = rng.sample(WORDS, len(WORDS))
    return [
        " ".join(
            f"The {words[(p * 9 + i) % len(words)]} of the {words[(p * 9 + i + 1) % len(words)]} said "
            f"that the {words[(p * 9 + i + 2) % len(words)]} would open in {1990 + number * 3 + p + i}."
            for i in range(4)
        )
        for p in range(3)
    ]


def sidecars(clean: Path) -> dict[str, dict]:
    return {
        p.relative_to(clean).with_suffix("").as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in clean.rglob("*.json")
        if ".cleancorp" not in p.parts
    }


def partition(clean: Path) -> set[frozenset[str]]:
    clusters: dict[str, set[str]] = {}
    for doc_id, sidecar in sidecars(clean).items():
        if sidecar["cluster"]:
            clusters.setdefault(sidecar["cluster"], set()).add(doc_id)
    return {frozenset(members) for members in clusters.values()}


def write(folder: Path, name: str, paragraphs: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def test_within_a_run_the_longest_version_is_kept(tmp_path):
    write(tmp_path / "raw", "a-abridged.txt", STORY[:3])
    write(tmp_path / "raw", "b-full.txt", STORY)
    run(tmp_path / "raw", tmp_path / "clean", ONE_JOB)
    found = sidecars(tmp_path / "clean")
    assert found["b-full"]["status"] == "kept"
    assert found["a-abridged"]["duplicate_of"] == "b-full"


def test_ties_in_length_go_to_the_first_path(tmp_path):
    write(tmp_path / "raw", "b.txt", STORY)
    write(tmp_path / "raw", "a.txt", STORY)
    run(tmp_path / "raw", tmp_path / "clean", ONE_JOB)
    assert sidecars(tmp_path / "clean")["b"]["duplicate_of"] == "a"


def test_a_document_kept_yesterday_stays_kept(tmp_path):
    write(tmp_path / "day1", "short.txt", STORY[:3])
    run(tmp_path / "day1", tmp_path / "clean", ONE_JOB)
    write(tmp_path / "day2", "long.txt", STORY)  # more complete, but the short one is published
    report = run(tmp_path / "day2", tmp_path / "clean", ONE_JOB)
    found = sidecars(tmp_path / "clean")
    assert found["short"]["status"] == "kept" and found["long"]["duplicate_of"] == "short"
    assert not (tmp_path / "clean" / "long.txt").exists()
    assert report["index"]["kept_documents"] == 1


def test_running_again_on_the_same_input_changes_nothing(tmp_path):
    run(CORPUS / "raw", tmp_path / "clean", ONE_JOB)
    first = read_tree(tmp_path / "clean")
    run(CORPUS / "raw", tmp_path / "clean", ONE_JOB)  # no document may match its own earlier self
    assert read_tree(tmp_path / "clean") == first


def test_two_batches_give_the_clusters_of_one_run(tmp_path):
    files = sorted(p.relative_to(CORPUS / "raw") for p in (CORPUS / "raw").rglob("*.*"))
    for number, relative in enumerate(files):
        batch = tmp_path / ("batch1" if number % 2 else "batch2")
        (batch / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / "raw" / relative, batch / relative)
    run(CORPUS / "raw", tmp_path / "one", ONE_JOB)
    run(tmp_path / "batch1", tmp_path / "two", ONE_JOB)
    run(tmp_path / "batch2", tmp_path / "two", ONE_JOB)
    one, two = partition(tmp_path / "one"), partition(tmp_path / "two")
    assert two == one
    truth = [json.loads(line) for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    families = {Path(t["path"]).relative_to("raw").with_suffix("").as_posix(): t["family"] for t in truth}
    for members in one:  # and the clusters are right: one family each, briefs never merged
        assert len({families[m] for m in members}) == 1
    assert sum(len(m) > 1 for m in one) >= 8


def test_a_deleted_index_is_rebuilt_from_the_sidecars(tmp_path):
    write(tmp_path / "day1", "short.txt", STORY[:3])
    run(tmp_path / "day1", tmp_path / "clean", ONE_JOB)
    (tmp_path / "clean" / ".cleancorp" / INDEX_NAME).unlink()
    write(tmp_path / "day2", "long.txt", STORY)
    report = run(tmp_path / "day2", tmp_path / "clean", ONE_JOB)
    assert report["index"]["rebuilt_from_sidecars"]
    assert sidecars(tmp_path / "clean")["long"]["duplicate_of"] == "short"


def test_an_index_made_by_another_version_is_rebuilt_by_the_next_run(tmp_path):
    """An index as the version before this one made it (band and key in two columns, shingles
    hashed another way): its keys find nothing, so an upgraded install's next run rebuilds it
    from the sidecars instead of refusing it or trusting it."""
    write(tmp_path / "day1", "short.txt", STORY[:3])
    run(tmp_path / "day1", tmp_path / "clean", ONE_JOB)
    index_file = tmp_path / "clean" / ".cleancorp" / INDEX_NAME
    with sqlite3.connect(index_file) as db:
        params = json.loads(db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()[0])
        older = {**params, "scheme": "minhash-xxh32-letters", "schema": 1}
        db.execute("UPDATE meta SET value = ? WHERE key = 'params'", (json.dumps(older),))
        db.execute("DROP TABLE bands")
        db.execute(
            "CREATE TABLE bands (band INTEGER NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL, "
            "PRIMARY KEY (band, key, doc)) WITHOUT ROWID"
        )
        db.execute("INSERT INTO bands VALUES (0, 12345, 1)")
    with pytest.raises(IndexMismatch, match=r"another version of cleancorp.*next `cleancorp run` rebuilds"):
        CorpusIndex.open(index_file.parent, IndexParams.of(DedupSettings()))
    write(tmp_path / "day2", "long.txt", STORY)
    report = run(tmp_path / "day2", tmp_path / "clean", ONE_JOB)
    assert report["index"]["rebuilt_from_sidecars"]
    assert sidecars(tmp_path / "clean")["long"]["duplicate_of"] == "short"
    with CorpusIndex.open(index_file.parent, IndexParams.of(DedupSettings())) as index:
        assert len(index) == 1


def test_an_index_with_other_settings_is_not_rebuilt_behind_the_users_back(tmp_path):
    write(tmp_path / "raw", "story.txt", STORY)
    run(tmp_path / "raw", tmp_path / "clean", ONE_JOB)
    state = tmp_path / "clean" / ".cleancorp"
    assert not CorpusIndex.made_by_another_version(state, IndexParams.of(DedupSettings()))
    assert not CorpusIndex.made_by_another_version(state, IndexParams.of(DedupSettings(num_perm=64)))
    assert not CorpusIndex.made_by_another_version(tmp_path / "nowhere", IndexParams.of(DedupSettings()))


def test_other_minhash_settings_are_refused_with_the_rebuild_command(tmp_path):
    write(tmp_path / "raw", "story.txt", STORY)
    run(tmp_path / "raw", tmp_path / "clean", ONE_JOB)
    with pytest.raises(IndexMismatch, match="num_perm 128 -> 64"):
        CorpusIndex.open(tmp_path / "clean" / ".cleancorp", IndexParams.of(DedupSettings(num_perm=64)))
    runner = CliRunner()
    args = ["run", str(tmp_path / "raw"), str(tmp_path / "clean"), "--num-perm", "64", "-j", "1"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert f"cleancorp reindex {tmp_path / 'clean'} --num-perm 64" in result.stderr
    assert runner.invoke(main, ["reindex", str(tmp_path / "clean"), "--num-perm", "64"]).exit_code == 0
    assert runner.invoke(main, args).exit_code == 0


def test_a_footer_learned_yesterday_goes_from_a_single_new_file(tmp_path):
    # Prose-like, so no rule and no position removes it: only its recurrence gives it away.
    footer = "Harbour Gazette is an independent newsroom that is funded by its readers."
    for number in range(5):
        write(tmp_path / "day1", f"story{number}.txt", [*distinct_story(number), footer])
    run(tmp_path / "day1", tmp_path / "clean", ONE_JOB)
    write(tmp_path / "day2", "new.txt", [*distinct_story(9), footer])
    run(tmp_path / "day2", tmp_path / "clean", ONE_JOB)
    new = sidecars(tmp_path / "clean")["new"]
    assert [(r["rule"], r["text"]) for r in new["removed"]] == [("repeated", footer)]


def test_dupes_lists_clusters_with_similarities(tmp_path):
    write(tmp_path / "raw", "a.txt", STORY)
    write(tmp_path / "raw", "b.txt", STORY[:3])
    write(
        tmp_path / "raw",
        "c.txt",
        ["A different story entirely, about a bakery that opened on Main Street " * 3],
    )
    run(tmp_path / "raw", tmp_path / "clean", ONE_JOB)
    result = CliRunner().invoke(main, ["dupes", str(tmp_path / "clean"), "--json"])
    clusters = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(c["cluster"], [m["id"] for m in c["members"]]) for c in clusters] == [("a", ["a", "b"])]
    assert 0 < clusters[0]["members"][1]["similarity"] < 1


def test_block_evidence_is_capped_per_block_and_counts_each_story_once(tmp_path):
    from cleancorp.index import MAX_BLOCK_CLUSTERS

    index = CorpusIndex.open(tmp_path, IndexParams.of(DedupSettings()))
    stories = [f"s{i}" for i in range(MAX_BLOCK_CLUSTERS + 5)]
    index.add_documents([(story, 500, [(0, number)]) for number, story in enumerate(stories)])
    footer, quote = 2**64 - 1, 7  # xxh64 keys use the whole unsigned range
    index.add_blocks([(quote, "s0"), (quote, "s0"), (quote, "not-in-the-index"), (quote, "s1")])
    index.add_blocks([(footer, story) for story in ["not-in-the-index", *stories]] + [(quote, "s1")])
    clusters = index.block_clusters([footer, quote, 12345])
    assert clusters[quote] == {"s0", "s1"}
    assert clusters[footer] == set(stories[:MAX_BLOCK_CLUSTERS])
    assert 12345 not in clusters
    index.add_blocks([(footer, stories[-1])])  # already seen in enough stories: nothing more
    assert index.block_clusters([footer])[footer] == set(stories[:MAX_BLOCK_CLUSTERS])


def test_adding_a_document_again_replaces_its_bands(tmp_path):
    index = CorpusIndex.open(tmp_path, IndexParams.of(DedupSettings()))
    index.add_documents([("a", 100, [(0, 1), (1, 2)]), ("b", 100, [(0, 3)])])
    index.add_documents([("a", 120, [(0, 5)])])
    assert index.candidates([(0, 1), (1, 2)]) == [] and index.candidates([(0, 5), (0, 3)]) == ["a", "b"]
    assert len(index) == 2 and index.body_chars("a") == 120


def reference_add_blocks(existing: dict[int, list[str]], seen: list[tuple[int, str]], indexed: set[str]):
    """The rows add_blocks must leave, the plain way: per key, in the order first seen, the new
    stories in the index until the key has MAX_BLOCK_CLUSTERS stories."""
    from cleancorp.index import MAX_BLOCK_CLUSTERS

    rows = {(key, doc) for key, docs in existing.items() for doc in docs}
    stories: dict[int, dict[str, None]] = {}
    for key, doc in seen:
        stories.setdefault(key, {})[doc] = None
    for key, listed in stories.items():
        known = set(existing.get(key, ()))
        room = MAX_BLOCK_CLUSTERS - len(known)
        for doc in listed:
            if room <= 0:
                break
            if doc not in known and doc in indexed:
                rows.add((key, doc))
                room -= 1
    return rows


KEYS = st.sampled_from([0, 1, 7, 2**63 - 1, 2**63, 2**64 - 1])
STORIES = st.sampled_from([f"s{n}" for n in range(16)] + ["not-indexed"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(KEYS, st.lists(STORIES.filter(lambda s: s != "not-indexed"), max_size=14, unique=True)),
    st.lists(st.tuples(KEYS, STORIES), max_size=80),
    st.booleans(),
)
def test_add_blocks_keeps_the_first_stories_seen_up_to_the_cap(tmp_path_factory, existing, seen, as_run_does):
    folder = tmp_path_factory.mktemp("index")
    index = CorpusIndex.open(folder, IndexParams.of(DedupSettings()))
    indexed = {f"s{n}" for n in range(16)}
    index.add_documents([(story, 100, [(0, n)]) for n, story in enumerate(sorted(indexed))])
    numbers = dict(index.db.execute("SELECT id, number FROM docs"))
    index.db.executemany(
        "INSERT INTO blocks VALUES (?, ?)",
        [
            (key - 2**64 if key >= 2**63 else key, numbers[doc])
            for key, docs in existing.items()
            for doc in docs
        ],
    )
    if as_run_does:  # a story's blocks at once, in arrays
        sightings = Sightings()
        for story, pairs in groupby(seen, key=lambda pair: pair[1]):
            sightings.add([key for key, _ in pairs], story)
        index.add_blocks(sightings)
    else:
        index.add_blocks(seen)
    names = {number: doc for doc, number in numbers.items()}
    rows = {
        (key + 2**64 if key < 0 else key, names[doc]) for key, doc in index.db.execute("SELECT * FROM blocks")
    }
    assert rows == reference_add_blocks(existing, seen, indexed)
    index.close()


def test_an_earlier_body_is_read_once_as_the_sorted_shingles_it_is_compared_by(tmp_path):
    clean = tmp_path / "clean"
    run(CORPUS / "raw", clean, ONE_JOB)
    body = clean / "0000" / "f000013-original-19.txt"
    with CorpusIndex.open(clean / ".cleancorp", IndexParams.of(ONE_JOB.dedup)) as index:
        earlier = EarlierRuns(index, clean, ONE_JOB.dedup, exclude=set())
        shingles = earlier.shingles_of("0000/f000013-original-19")
        assert shingles.tolist() == shingle_array(body.read_text(encoding="utf-8"), 5).tolist()
        body.unlink()  # remembered: the next reprint of the story does not read it again
        assert earlier.shingles_of("0000/f000013-original-19") is shingles
        assert (
            EarlierRuns(index, clean, ONE_JOB.dedup, exclude=set()).shingles_of("0000/f000013-original-19")
            is None
        )


def test_a_first_run_does_not_ask_the_empty_index_for_candidates(tmp_path, monkeypatch):
    from cleancorp.signing import Signed

    asked = []
    real_index_keys = Signed.index_keys
    monkeypatch.setattr(Signed, "index_keys", lambda self: asked.append(1) or real_index_keys(self))
    clean = tmp_path / "clean"
    first = run(CORPUS / "raw", clean, ONE_JOB)
    assert first["status"]["duplicate"] and not asked  # nothing was kept before: nothing to look up
    again = run(CORPUS / "raw", clean, ONE_JOB, force=True)
    assert asked and again["status"] == first["status"]  # a later run checks what the index kept


def test_only_a_run_over_a_kept_corpus_lists_the_ids_it_replaces(tmp_path, monkeypatch):
    from cleancorp import runner

    excluded: list[set[str]] = []

    class Recorded(runner.EarlierRuns):
        def __init__(self, index, clean, settings, exclude):
            excluded.append(set(exclude))
            super().__init__(index, clean, settings, exclude)

    monkeypatch.setattr(runner, "EarlierRuns", Recorded)
    clean = tmp_path / "clean"
    run(CORPUS / "raw", clean, ONE_JOB)
    assert excluded == [set()]  # an empty index has no entry to replace: no id was made for it
    report = run(CORPUS / "raw", clean, ONE_JOB, force=True)
    assert len(excluded[1]) == report["documents"] > 0  # every one re-cleaned replaces its entry


def test_is_empty_reads_one_row(tmp_path):
    index = CorpusIndex.open(tmp_path, IndexParams.of(DedupSettings()))
    assert index.is_empty()
    index.add_documents([("a", 100, [(0, 1)])])
    assert not index.is_empty() and len(index) == 1
    index.forget(["a"])
    assert index.is_empty()


def test_forgetting_a_document_deletes_its_rows_through_indexes_not_a_scan(tmp_path):
    index = CorpusIndex.open(tmp_path, IndexParams.of(DedupSettings()))
    signed_c = np.array([1, 5], dtype=np.uint32)  # a key per band, as signing gives them
    index.add_documents([("a", 100, [(0, 1), (1, 2)]), ("b", 100, [(0, 3)]), ("c", 100, signed_c)])
    index.add_blocks([(7, "a"), (9, "b"), (9, "c")])
    statements: list[str] = []
    index.db.set_trace_callback(statements.append)
    index.forget(["a"])
    index.add_documents([("b", 90, [(0, 4)])])  # replaces b's entry
    index.db.set_trace_callback(None)
    deletes = [sql for sql in statements if sql.lstrip().upper().startswith("DELETE")]
    assert {sql.split()[2] for sql in deletes} == {"bands", "blocks", "docs"}
    plans = [row[-1] for sql in deletes for row in index.db.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans and not [plan for plan in plans if plan.startswith("SCAN")]  # each a SEARCH
    assert index.candidates([(0, 1), (1, 2)]) == ["c"] and index.candidates([(0, 3)]) == []
    assert index.candidates([(0, 4)]) == ["b"] and index.block_clusters([7, 9]) == {9: {"c"}}
    index.forget(["c"])
    assert index.candidates([(0, 1), (1, 5)]) == [] and index.block_clusters([9]) == {}
    assert index.db.execute("SELECT count(*) FROM bands").fetchone()[0] == 1  # b's only
