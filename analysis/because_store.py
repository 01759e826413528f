"""Reader for `because` stores (HDF5 schema because/1, see docs/store.md).

    import because_store as bs
    s = bs.open_store("RUN/store.h5")
    s.column("instances", "gold")             # numpy array
    s.strings("explanations", "text")         # list of str
    for inst, expls in s.iter_explanations(): ...

Needs Debian's python3-h5py and python3-numpy; run with /usr/bin/python3.
"""
import json
import sys

import h5py
import numpy as np

SCHEMA = "because/1"


def _str(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


class Store:
    def __init__(self, path):
        self.path = path
        self.f = h5py.File(path, "r")
        schema = _str(self.f.attrs.get("schema", ""))
        if schema != SCHEMA:
            raise ValueError(f"{path}: schema '{schema}' is not {SCHEMA}")
        self.labels = [_str(x) for x in self.f.attrs.get("labels", [])]
        self.label_set = _str(self.f.attrs.get("label_set", ""))

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def tables(self):
        out = []
        for name in ("instances", "explanations"):
            if name in self.f:
                out.append(name)
        for grp in ("judgments", "predictions"):
            if grp in self.f:
                out += [f"{grp}/{n}" for n in sorted(self.f[grp])]
        for name in ("metrics", "provenance"):
            if name in self.f:
                out.append(name)
        return out

    def columns(self, table):
        return [_str(c) for c in self.f[table].attrs["columns"]]

    def rows(self, table):
        c = self.columns(table)[0]
        g = self.f[table]
        return g[c + ".offsets"].shape[0] - 1 if c + ".offsets" in g else g[c].shape[0]

    def is_string(self, table, column):
        return column + ".bytes" in self.f[table]

    def column(self, table, column, start=0, stop=None):
        """A numeric column as a numpy array (codes for coded columns; see names())."""
        return self.f[table][column][start:stop]

    def names(self, table, column):
        """Name table of a coded column (dataset, split, source, finish, ...)."""
        return [_str(x) for x in self.f[table][column].attrs.get("names", [])]

    def decoded(self, table, column, start=0, stop=None):
        names = self.names(table, column)
        return [names[c] for c in self.column(table, column, start, stop)]

    def strings(self, table, column, start=0, stop=None):
        """A ragged string column as a list of str."""
        g = self.f[table]
        n = self.rows(table)
        stop = n if stop is None else min(stop, n)
        off = g[column + ".offsets"][start:stop + 1].astype(np.int64)
        if len(off) == 0:
            return []
        raw = g[column + ".bytes"][off[0]:off[-1]].tobytes()
        base = off[0]
        return [raw[a - base:b - base].decode("utf-8") for a, b in zip(off[:-1], off[1:])]

    def table(self, table, start=0, stop=None):
        """Every column of rows [start, stop) as a dict of lists / arrays (coded columns decoded)."""
        out = {}
        for c in self.columns(table):
            if self.is_string(table, c):
                out[c] = self.strings(table, c, start, stop)
            elif "names" in self.f[table][c].attrs:
                out[c] = self.decoded(table, c, start, stop)
            else:
                out[c] = self.column(table, c, start, stop)
        return out

    def instances(self, start=0, stop=None):
        return self.table("instances", start, stop)

    def iter_explanations(self, batch=65536):
        """Yields (instance dict, [explanation dicts]) in store order; explanations are sorted by instance."""
        n_inst = self.rows("instances")
        n_expl = self.rows("explanations") if "explanations" in self.f else 0
        inst_col = self.column("explanations", "instance") if n_expl else np.zeros(0, np.int64)
        for b in range(0, n_inst, batch):
            e = min(n_inst, b + batch)
            inst = self.instances(b, e)
            eb, ee = np.searchsorted(inst_col, [b, e])
            ex = self.table("explanations", int(eb), int(ee)) if ee > eb else None
            j = 0
            for i in range(e - b):
                row = {k: v[i] for k, v in inst.items()}
                mine = []
                while ex is not None and j < ee - eb and ex["instance"][j] == b + i:
                    mine.append({k: v[j] for k, v in ex.items()})
                    j += 1
                yield row, mine

    def judgments(self, name):
        g = self.f["judgments"][name]
        return {"instance": g["instance"][:], "probs": g["probs"][:], "scores": g["scores"][:],
                "method": json.loads(_str(g.attrs.get("method", "{}")))}

    def predictions(self, name):
        g = self.f["predictions"][name]
        return {"instance": g["instance"][:], "probs": g["probs"][:]}

    def metrics(self):
        if "metrics" not in self.f:
            return {}
        t = self.table("metrics")
        return {n: json.loads(j) for n, j in zip(t["name"], t["json"])}

    def explanation_sources(self):
        """{source: {set, backend, model, model_hash, prompt, prompt_hash, mode, guide}} as merge
        recorded them ({} when the store has none)."""
        return json.loads(_str(self.f.attrs.get("explanation_sources", "{}")))

    def provenance(self):
        return [dict(zip(*[list(t.keys()), r])) for t in [self.table("provenance")] for r in zip(*t.values())] \
            if "provenance" in self.f else []


def open_store(path):
    return Store(path)


if __name__ == "__main__":
    with open_store(sys.argv[1]) as s:
        for t in s.tables():
            print(t, s.rows(t))
