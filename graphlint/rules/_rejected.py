"""The warm-start entries TensorFlow rejected while model_fn was built (model/warmstart.py), for
GL305 (a key the checkpoint lacks) and GL309 (a key whose shape does not fit)."""

from __future__ import annotations

from graphlint.constants import MODES


def failed_warm_starts(ctx) -> dict:
    """{(site, rejected entries, exception type, message): [modes]} for the builds that failed in
    init_from_checkpoint. The failing call is the last one recorded: it stopped the build."""
    by_call = {}
    for mode, snap in ctx.snapshots.items():
        failure = snap.failure
        if failure is None or failure.kind != "warm-start":
            continue
        call = snap.warm_starts[-1] if snap.warm_starts else None
        entries = call.rejected if call is not None else ()
        site = failure.site or (call.site if call is not None else None)  # where the traceback has no user frame
        by_call.setdefault((site, entries, failure.exc_type, failure.message), []).append(mode)
    return by_call


def rejected(ctx, whys) -> list:
    """[(site, Rejection, modes)] of the entries rejected for one of `whys`, in TF's order."""
    found = {}
    for (site, entries, _, _), modes in failed_warm_starts(ctx).items():
        for rejection in entries:
            if rejection.why in whys:
                found.setdefault((site, rejection), []).extend(modes)
    return [(site, rejection, tuple(sorted(set(modes), key=MODES.index)))
            for (site, rejection), modes in found.items()]
