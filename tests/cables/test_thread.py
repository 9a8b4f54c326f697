"""The thread around a cable: cites and cited-by, transitively, bounded, one query a level."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cables.models import Reference
from cables.thread import clamp_depth, thread_for, walk

from .test_views import make_cable


def chain(*ids: str) -> None:
    """Cables ids[0] <- ids[1] <- ...: each cites the one before, a month apart."""
    for n, cid in enumerate(ids):
        make_cable(cid, subject=f"Subject {cid}", date=datetime(2007, 1 + n, 1, tzinfo=UTC))
    for older, newer in zip(ids, ids[1:], strict=False):
        Reference.objects.create(cable_id=newer, position=0, label="A", text=older, cited_id=older)


def test_the_thread_holds_what_a_cable_cites_and_what_cites_it_transitively(db):
    chain("07A1", "07A2", "07A3", "07A4", "07A5")

    thread = thread_for("07A3", depth=2)

    assert [(c.id, c.direction, c.depth) for c in thread.cables] == [
        ("07A1", "cites", 2),
        ("07A2", "cites", 1),
        ("07A3", "self", 0),
        ("07A4", "cited-by", 1),
        ("07A5", "cited-by", 2),
    ]


def test_the_depth_bounds_the_walk(db):
    chain("07A1", "07A2", "07A3", "07A4", "07A5")

    thread = thread_for("07A5", depth=1)

    assert [c.id for c in thread.cables] == ["07A4", "07A5"]


def test_a_cited_cable_missing_from_the_library_is_shown_as_missing(db):
    cable = make_cable("07A2")
    Reference.objects.create(cable=cable, position=0, label="A", text="X 1", cited_id="06GONE1")

    thread = thread_for("07A2")

    assert [(c.id, c.in_library) for c in thread.missing] == [("06GONE1", False)]


def test_each_level_is_one_reference_query(db):
    chain("07A1", "07A2", "07A3", "07A4", "07A5", "07A6", "07A7")

    with CaptureQueriesContext(connection) as queries:
        thread = thread_for("07A4", depth=3)

    reference_queries = [q for q in queries if "cables_reference" in q["sql"]]
    assert len(reference_queries) == 3 == thread.queries
    assert len(queries) == 4  # and one for the cables reached


def test_the_walk_stops_when_nothing_is_left_to_follow(db):
    chain("07A1", "07A2")

    _, queries, _ = walk("07A2", depth=6)

    assert queries == 2  # level 1 finds 07A1; level 2 finds nothing and the walk ends


def test_a_bad_depth_falls_back_to_the_default_and_a_big_one_is_capped():
    assert clamp_depth("x") == 3
    assert clamp_depth("99") == 6


def test_thread_page_lists_the_timeline_with_links(client, db):
    chain("07A1", "07A2")

    html = client.get("/cables/07A2/thread/").content.decode()

    assert '<a href="/cables/07A1/"><strong>07A1</strong></a> — Subject 07A1' in html


def test_thread_page_marks_a_missing_cable(client, db):
    cable = make_cable("07A2")
    Reference.objects.create(cable=cable, position=0, label="A", text="X 1", cited_id="06GONE1")

    html = client.get("/cables/07A2/thread/").content.decode()

    assert '<strong>06GONE1</strong> <span class="badge">not in the library</span>' in html
