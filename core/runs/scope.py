"""A person's view of the run store: the runs they may list, open, control, rename and delete.

`scoped(store, person)` is what the pages use. A student's view lists only their own runs, and any
method that names a run (every Store method whose first argument is `run_id`) raises NotYours for a run
someone else owns — so a run id typed into an address reaches nothing, and the executor's pause, stop,
resume and delete, which read the run through the store they are given, refuse it too. A run made
through the view is owned by its person. The teacher's view and personal mode reach every run; the
worker processes use the Store itself, unscoped.
"""
from __future__ import annotations

import functools
import inspect

from .people import Person
from .store import Store, StoreError


class NotYours(StoreError):
    """A run that belongs to someone else than the person asking."""


def _names_a_run(fn) -> bool:
    params = list(inspect.signature(fn).parameters)
    return len(params) > 1 and params[1] == "run_id"


RUN_METHODS = frozenset(name for name, fn in vars(Store).items()
                        if inspect.isfunction(fn) and not name.startswith("_") and _names_a_run(fn))


class ScopedStore:
    """`store` as `person` may use it. Everything that does not name a run (home, transactions, close)
    is the store's own."""

    def __init__(self, store: Store, person: Person):
        self.store = store
        self.person = person
        self._mine: set[str] = set()     # runs already found to be this person's (an owner never changes)

    def __getattr__(self, name):
        value = getattr(self.store, name)
        if name not in RUN_METHODS:
            return value

        @functools.wraps(value)
        def checked(run_id, *args, **kwargs):
            self.check(run_id)
            return value(run_id, *args, **kwargs)
        return checked

    def check(self, run_id: str) -> None:
        """NotYours when the run exists and belongs to someone else; nothing otherwise (a run that does not
        exist is the store's to report)."""
        if self.person.sees_all or run_id in self._mine:
            return
        row = self.store.db.execute("SELECT owner FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            return
        if row[0] != self.person.id:
            raise NotYours(f"run {run_id} belongs to someone else; you can open only the runs you started")
        self._mine.add(run_id)

    def list_runs(self, owner: str | None = None) -> list:
        """The person's runs, newest first (the teacher's: every run, or one person's with `owner`)."""
        if self.person.sees_all:
            return self.store.list_runs(owner)
        return self.store.list_runs(self.person.id)

    def create_run(self, **values) -> str:
        """A new run owned by the person (personal mode keeps whatever owner is given, as the Store does)."""
        if self.person.id is not None:
            values["owner"] = self.person.id
        if values.get("parent") is not None:
            self.check(values["parent"])
        run_id = self.store.create_run(**values)
        self._mine.add(run_id)
        return run_id

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def scoped(store: Store, person: Person) -> Store | ScopedStore:
    """The store as `person` may use it; personal mode's one person gets the store itself."""
    return store if person.role == "personal" else ScopedStore(store, person)


def owner_of(store) -> str | None:
    """The person id that runs submitted through `store` are owned by: its person's, for a scoped view;
    None for the store itself (personal mode, the command line)."""
    person = getattr(store, "person", None)
    return None if person is None else person.id
