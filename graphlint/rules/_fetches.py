"""What the fetch rules (GL201, GL202) say about how a hook reached a name."""

from __future__ import annotations

# How each kind of Fetch reaches TF: a lookup in begin(), a fetch or feed of Session.run, or end().
VERBS = {"begin": "looks up", "before_run": "fetches", "feed": "feeds", "end": "fetches at the end of the mode"}


def verb(fetch) -> str:
    return VERBS.get(fetch.moment, "fetches")


def at_step(record) -> str:
    """When a hook first asks, if not at the mode's first session.run: " at step 50" (its schedule
    fires there, so the steps before it run and that one fails). When its schedule read the global
    step in the same session.run as the train op, unordered against its increment, a run that
    reads the value after the increment shows the hook the next step's value: it asks a step
    earlier (or, when an earlier read was the later value, later), so both steps are named."""
    step = getattr(record, "step", 1)
    if getattr(record, "raced", False):
        return (f" at step {step - 1} or {step} (or later: its schedule reads the global step in the same "
                "session.run as the train op, which TensorFlow does not order against the step's increment)")
    return f" at step {step}" if step > 1 else ""
