"""The sweep merges two ordered streams, stored names and referenced names, one at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core import stored_files
from yiwang.core.stored_files import OutOfOrder, sweep

LATER = timezone.now() + dt.timedelta(days=1)


def holding(monkeypatch, names: list[str], directory: str = "d") -> None:
    """Only one holder, referring to ``names`` (given in any order, handed over sorted)."""
    monkeypatch.setattr(
        stored_files,
        "_holders",
        {"test": stored_files.Holder(directory, lambda: iter(sorted(names)))},
    )


def store(storage: InMemoryStorage, names: list[str]) -> list[str]:
    return [storage.save(name, ContentFile(b"x")) for name in names]


def test_directories_sort_as_their_name_and_a_slash(monkeypatch):
    storage = InMemoryStorage()
    stored = store(storage, ["d/b.pdf", "d/b/c.pdf", "d/bc.pdf", "d/b-x/e.pdf", "d/a.pdf"])
    holding(monkeypatch, ["d/b/c.pdf", "d/bc.pdf"])
    report = sweep(storage=storage, now=LATER)
    assert report.scanned == 5 and report.referenced == 2
    assert [name for name, _ in report.orphans] == ["d/a.pdf", "d/b-x/e.pdf", "d/b.pdf"]
    assert sorted(stored) == sorted(["d/b/c.pdf", "d/bc.pdf", *(n for n, _ in report.orphans)])


def test_names_handed_over_out_of_order_stop_the_sweep_before_anything_is_deleted(monkeypatch):
    storage = InMemoryStorage()
    store(storage, ["d/a.pdf", "d/b.pdf", "d/c.pdf"])
    monkeypatch.setattr(
        stored_files,
        "_holders",
        {"test": stored_files.Holder("d", lambda: iter(["d/c.pdf", "d/a.pdf"]))},
    )
    with pytest.raises(OutOfOrder, match="names that rows refer to"):
        sweep(storage=storage, now=LATER, delete=True)
    assert all(storage.exists(n) for n in ("d/a.pdf", "d/b.pdf", "d/c.pdf"))


segment = st.text(alphabet="ab.-_0中", min_size=1, max_size=3).filter(
    lambda s: s not in {".", ".."}
)
path = st.lists(segment, min_size=1, max_size=3).map(lambda parts: "d/" + "/".join(parts))


def _no_file_is_a_directory(paths: list[str]) -> bool:
    return not any(other.startswith(p + "/") for p in paths for other in paths)


@settings(max_examples=60, deadline=None)
@given(
    paths=st.lists(path, max_size=12, unique=True).filter(_no_file_is_a_directory),
    data=st.data(),
)
def test_the_orphans_are_exactly_the_stored_files_no_row_names(paths, data):
    storage = InMemoryStorage()
    stored = store(storage, paths)
    referenced = data.draw(st.lists(st.sampled_from(stored), unique=True)) if stored else []
    referenced += data.draw(st.lists(path, max_size=3))  # rows whose file went missing
    with pytest.MonkeyPatch.context() as monkeypatch:
        holding(monkeypatch, referenced)
        report = sweep(storage=storage, now=LATER, delete=True)
    assert sorted(name for name, _ in report.orphans) == sorted(set(stored) - set(referenced))
    assert report.scanned == len(stored) and report.deleted == len(report.orphans)
    assert all(storage.exists(name) for name in referenced if name in stored)


@pytest.mark.django_db
def test_the_database_hands_names_over_in_code_point_order_whatever_its_collation():
    from yiwang.core.models import AttemptWindow

    names = ["a_b", "a-c", "B", "a", "中", "Z", "a/b", "a.b", "ab"]
    for name in names:
        AttemptWindow.objects.create(key=name, window_ends=0, attempts=1)
    assert list(stored_files.names_in_order(AttemptWindow.objects.all(), "key")) == sorted(names)
