"""Property tests for the name machinery: pairing, twins, did-you-mean, normalization."""

from hypothesis import given, settings
from hypothesis import strategies as st

from graphlint.analysis.match import did_you_mean, normalize, pair_renames, uniquified_twins
from graphlint.model.snapshot import ScopeRename

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


def _renamed_model(n, leaf_renamed_every=4):
    """n variables of 10 shapes (buckets of n/10, compared through the index, not in full); one in
    `leaf_renamed_every` had its leaf renamed (slim's weights -> Keras' kernel), the rest their top
    scope (net/ -> network/)."""
    renamed = {"kernel": "weights", "bias": "biases", "gamma": "scale", "beta": "offset"}
    leaves = tuple(renamed)
    missing, unused = {}, {}
    for i in range(n):
        leaf = leaves[i % 4]
        sig = ((i % 10) + 1, 8), "float32"
        path = f"layer{i // 40}/unit{(i // 4) % 10}"
        unused[f"net/{path}/{leaf}"] = sig
        missing[f"net/{path}/{renamed[leaf]}" if i % leaf_renamed_every == 0 else f"network/{path}/{leaf}"] = sig
    return missing, unused


def test_large_buckets_pair_leaf_renames_and_scope_renames():
    missing, unused = _renamed_model(2000, leaf_renamed_every=5)
    pairs = pair_renames(missing, unused)
    assert len(pairs) == 2000  # buckets of 200 x 200: past the limit for comparing in full
    for m, u, score in pairs:
        same_scope = m.rsplit("/", 1)[0] == u.rsplit("/", 1)[0]
        assert same_scope or m.split("/", 1)[1] == u.split("/", 1)[1], (m, u)


def test_leaf_names_tf_apis_give_one_variable_pair_even_in_a_short_scope():
    sig = ((3, 4), "float32")
    missing = {"conv1/kernel": sig, "bn/gamma": ((4,), "float32"), "bn/beta": ((4,), "float32")}
    unused = {"conv1/weights": sig, "bn/scale": ((4,), "float32"), "bn/offset": ((4,), "float32")}
    assert [(m, u) for m, u, _ in pair_renames(missing, unused)] == [
        ("bn/beta", "bn/offset"), ("bn/gamma", "bn/scale"), ("conv1/kernel", "conv1/weights")]


def test_ties_are_broken_the_same_way_whatever_the_hash_seed():
    """max_weight_matching chooses among equally good matchings by iteration order: pairing must
    not depend on set order, which changes with PYTHONHASHSEED from one process to the next."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("from graphlint.analysis.match import pair_renames\n"
            "s = ((3,), 'float32')\n"
            "missing = {f'{a}/{b}/w': s for a in 'abcdef' for b in 'xyz'}\n"
            "unused = {f'{b}/{a}/w': s for a in 'abcdef' for b in 'xyz'}\n"
            "missing.update({f'm{i}/k': s for i in range(3)}); unused.update({f'u{i}/k': s for i in range(3)})\n"
            "print(pair_renames(missing, unused))\n")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": root, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(6)}
    assert len(outs) == 1, outs
