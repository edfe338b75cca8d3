"""What the fetch rules (GL201, GL202) say about how a hook reached a name."""

from __future__ import annotations

# How each kind of Fetch reaches TF: a lookup in begin(), a fetch or feed of Session.run, or end().
VERBS = {"begin": "looks up", "before_run": "fetches", "feed": "feeds", "end": "fetches at the end of the mode"}


def verb(fetch) -> str:
    return VERBS.get(fetch.moment, "fetches")


def at_step(record) -> str:
    """When a hook first asks, if not at the mode's first session.run: " at step 50" (its schedule
    fires there, so the steps before it run and that one fails)."""
    return f" at step {record.step}" if getattr(record, "step", 1) > 1 else ""
