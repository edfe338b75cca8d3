"""Property tests for the name machinery: twins, did-you-mean, normalization (the rename pairing:
test_pairing_properties.py)."""

from hypothesis import given
from hypothesis import strategies as st

from graphlint.analysis.match import did_you_mean, normalize, uniquified_twins
from graphlint.model.snapshot import ScopeRename

part = st.from_regex(r"[a-z]{1,4}(_[0-9])?", fullmatch=True)
name = st.lists(part, min_size=1, max_size=4).map("/".join)
sig = st.sampled_from([((3,), "float32"), ((3,), "float16"), ((4, 3), "float32"), ((), "int64")])
names = st.dictionaries(name, sig, max_size=30)


@given(st.lists(part, min_size=1, max_size=3), part, st.integers(1, 5))
def test_uniquified_twin_is_found_exactly_when_it_exists(scopes, leaf, n):
    requested = "/".join(scopes)
    got = f"{requested}_{n}"
    rename = ScopeRename(requested, got, None, None)
    ops = {f"{got}/{leaf}": "Identity"}
    assert uniquified_twins(f"{requested}/{leaf}:0", [rename], ops) == [(rename, f"{got}/{leaf}:0")]
    assert uniquified_twins(f"{requested}/{leaf}x:0", [rename], ops) == []


@given(name, st.sets(name, max_size=40))
def test_did_you_mean_names_an_existing_name_or_nothing(query, existing):
    guess = did_you_mean(query, existing)
    assert guess is None or guess in existing


@given(name)
def test_normalize_is_idempotent(n):
    assert normalize(normalize(n)) == normalize(n)
