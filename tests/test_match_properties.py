"""Property tests for the name machinery: pairing, twins, did-you-mean, normalization."""

from hypothesis import given, settings
from hypothesis import strategies as st

from graphlint.match import did_you_mean, normalize, pair_renames, uniquified_twins
from graphlint.snapshot import ScopeRename

part = st.from_regex(r"[a-z]{1,4}(_[0-9])?", fullmatch=True)
name = st.lists(part, min_size=1, max_size=4).map("/".join)
sig = st.sampled_from([((3,), "float32"), ((3,), "float16"), ((4, 3), "float32"), ((), "int64")])
names = st.dictionaries(name, sig, max_size=30)


@settings(max_examples=100, deadline=None)
@given(names, names)
def test_pairing_is_a_safe_matching(missing, unused):
    pairs = pair_renames(missing, unused)
    assert len({m for m, _, _ in pairs}) == len(pairs)  # no missing name twice
    assert len({u for _, u, _ in pairs}) == len(pairs)  # no checkpoint key twice
    for m, u, score in pairs:
        assert missing[m] == unused[u]  # never across shapes or dtypes
        assert 0.25 <= score <= 1
    assert pairs == sorted(pairs)


@settings(max_examples=50, deadline=None)
@given(names, names)
def test_pairing_is_deterministic_whatever_the_input_order(missing, unused):
    reordered_m = dict(reversed(list(missing.items())))
    reordered_u = dict(reversed(list(unused.items())))
    assert pair_renames(missing, unused) == pair_renames(reordered_m, reordered_u)


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


def test_pairing_examples():
    missing = {"encoder_v2/w": ((8, 3), "float32"), "dense_1/bias": ((3,), "float32"),
               "head/w": ((9, 9), "float32")}
    unused = {"encoder/w": ((8, 3), "float32"), "dense/bias": ((3,), "float32"),
              "dense/bias/Adam": ((4,), "float32")}
    assert pair_renames(missing, unused) == [
        ("dense_1/bias", "dense/bias", 1.0), ("encoder_v2/w", "encoder/w", 0.517)]
