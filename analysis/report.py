#!/usr/bin/python3
"""Writes RUN/report/ (report.md, report.html and PNG plots) for a `because` run directory.

Usage: /usr/bin/python3 analysis/report.py RUN [--out DIR]

Reads RUN/store.h5 (schema because/1), RUN/metrics.json, training logs (RUN/logs/train-*.jsonl)
and per-rank stage statistics (RUN/stats/*-rank-*.json), whichever exist, and writes tables of the metrics
per condition and plots: explanations per label, explanation lengths, model judgment distributions
against human distributions with a KL histogram, confusion matrices, training curves and throughput
per rank. Needs Debian's python3-h5py, python3-numpy and python3-matplotlib.
"""
import argparse
import glob
import html
import json
import math
import os
import sys

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - reported to the user
    sys.exit("report.py: python3-h5py is missing (apt-get install python3-h5py)")
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


# ---- reading the store ---------------------------------------------------------------------------

def _attr_str(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return str(v)


def _attr_list(obj, name):
    if name not in obj.attrs:
        return []
    v = obj.attrs[name]
    if v is None or (hasattr(v, "shape") and v.shape is None):
        return []
    try:
        return [_attr_str(x) for x in v]
    except TypeError:
        return []


def read_table(f, path):
    """A store table as {column: numpy array or list of str}, plus '_names' for coded columns."""
    if path not in f:
        return None
    g = f[path]
    cols = _attr_list(g, "columns")
    out = {"_names": {}}
    for c in cols:
        if c + ".offsets" in g:
            off = g[c + ".offsets"][()]
            raw = g[c + ".bytes"][()].tobytes()
            out[c] = [raw[off[i]:off[i + 1]].decode("utf-8", "replace") for i in range(len(off) - 1)]
        elif c in g:
            d = g[c]
            out[c] = d[()]
            names = _attr_list(d, "names")
            if names:
                out["_names"][c] = names
    return out


def decode(table, col):
    """Values of a coded column as names."""
    names = table["_names"].get(col)
    vals = table[col]
    if not names:
        return list(vals)
    return [names[int(v)] if 0 <= int(v) < len(names) else str(v) for v in vals]


def subgroups(f, path):
    if path not in f:
        return []
    return sorted(k for k in f[path].keys() if isinstance(f[path][k], h5py.Group))


# ---- helpers -------------------------------------------------------------------------------------

class Report:
    def __init__(self, out_dir):
        self.out = out_dir
        self.md = []
        self.html = []
        self.plots = []

    def h(self, level, text):
        self.md.append("#" * level + " " + text + "\n")
        self.html.append("<h%d>%s</h%d>" % (level, html.escape(text), level))

    def p(self, text):
        self.md.append(text + "\n")
        self.html.append("<p>%s</p>" % html.escape(text))

    def table(self, header, rows):
        if not rows:
            return
        fmt = lambda v: ("%.4f" % v) if isinstance(v, float) else str(v)  # noqa: E731
        self.md.append("| " + " | ".join(header) + " |")
        self.md.append("|" + "---|" * len(header))
        for r in rows:
            self.md.append("| " + " | ".join(fmt(v) for v in r) + " |")
        self.md.append("")
        h = ["<table><tr>" + "".join("<th>%s</th>" % html.escape(x) for x in header) + "</tr>"]
        for r in rows:
            h.append("<tr>" + "".join("<td>%s</td>" % html.escape(fmt(v)) for v in r) + "</tr>")
        h.append("</table>")
        self.html.append("\n".join(h))

    def figure(self, fig, name, caption):
        path = os.path.join(self.out, name)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        self.plots.append(path)
        self.md.append("![%s](%s)\n" % (caption, name))
        self.html.append('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>'
                         % (html.escape(name), html.escape(caption), html.escape(caption)))

    def write(self, title):
        with open(os.path.join(self.out, "report.md"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(self.md) + "\n")
        style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;"
                 "margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
                 "th{background:#eee}img{max-width:100%}")
        with open(os.path.join(self.out, "report.html"), "w", encoding="utf-8") as fh:
            fh.write("<!doctype html><html><head><meta charset='utf-8'><title>%s</title><style>%s</style></head>"
                     "<body>\n%s\n</body></html>\n" % (html.escape(title), style, "\n".join(self.html)))


def human_dist(counts):
    counts = np.asarray(counts, dtype=np.float64)
    s = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, counts / np.where(s > 0, s, 1), np.nan)


def kl_clipped(p, q):
    p = np.clip(p, 1e-10, 1.0)
    q = np.clip(q, 1e-10, 1.0)
    p = p / p.sum(axis=1, keepdims=True)
    q = q / q.sum(axis=1, keepdims=True)
    return (p * np.log(p / q)).sum(axis=1)


# ---- sections ------------------------------------------------------------------------------------

COND_KEYS = ("dataset", "split", "kind", "name", "source", "mode", "set")
PREFERRED = ("accuracy", "macro_f1", "weighted_f1", "kl", "js", "tvd", "dcor", "entropy_corr", "bleu", "chrf",
             "rouge1", "rouge2", "rougeL", "rouge_1", "rouge_2", "rouge_l", "meteor", "distinct1", "distinct2",
             "self_bleu", "mean_length", "n", "n_items", "n_texts", "n_hyp")


def _metric_columns(rec):
    """Scalar metrics of one record as {dotted key: value} (per-class lists and matrices left out)."""
    out = {}
    for k, v in rec.items():
        if k in COND_KEYS:
            continue
        if isinstance(v, dict):
            for k2, v2 in v.items():
                if isinstance(v2, (int, float)) and not isinstance(v2, bool):
                    out[k + "." + k2] = v2
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = v
    return out


def _rank(col):
    leaf = col.split(".")[-1]
    return (PREFERRED.index(leaf) if leaf in PREFERRED else len(PREFERRED), col)


def section_metrics(rep, run):
    path = os.path.join(run, "metrics.json")
    if not os.path.exists(path):
        rep.p("No metrics.json in the run directory (the reduce stage has not run).")
        return
    with open(path, encoding="utf-8") as fh:
        metrics = json.load(fh)
    rep.h(2, "Metrics")
    rep.p("From %s (keys documented in docs/metrics.md): one row per condition." % path)
    titles = {"nlg": "Explanations against human explanations (NLG)", "diversity": "Diversity of explanations",
              "distributions": "Label distributions against human label counts",
              "classification": "Classification (predictions and judgments) against gold and majority labels"}
    for top, body in metrics.items():
        if not isinstance(body, list) or not body or not isinstance(body[0], dict):
            continue
        conds = [c for c in COND_KEYS if any(c in r for r in body)]
        cols = []
        for r in body:
            for c in _metric_columns(r):
                if c not in cols:
                    cols.append(c)
        cols = sorted(cols, key=_rank)
        keep = [c for c in cols if c.split(".")[-1] in PREFERRED][:10] or cols[:10]
        rows = []
        for r in body:
            m = _metric_columns(r)
            rows.append([str(r.get(c, "")) for c in conds] + [m.get(c, "") for c in keep])
        rep.h(3, titles.get(top, str(top)))
        rep.table(conds + keep, rows)


def section_store(rep, run):
    path = os.path.join(run, "store.h5")
    if not os.path.exists(path):
        rep.p("No store.h5 in the run directory.")
        return
    with h5py.File(path, "r") as f:
        labels = _attr_list(f, "labels") or ["entailment", "neutral", "contradiction"]
        inst = read_table(f, "instances")
        expl = read_table(f, "explanations")
        n_inst = len(inst["uid"]) if inst else 0
        rep.h(2, "Store")
        rep.p("%s: %d instances, %d explanations, label set %s." %
              (path, n_inst, len(expl["text"]) if expl else 0, ", ".join(labels)))
        if expl and len(expl["text"]):
            sources = decode(expl, "source")
            lab = np.asarray(expl["label"], dtype=int)
            src_names = sorted(set(sources))
            # Explanations per source and label.
            rows = []
            counts = np.zeros((len(src_names), len(labels) + 1))
            for s, l in zip(sources, lab):
                counts[src_names.index(s), l if 0 <= l < len(labels) else len(labels)] += 1
            for i, s in enumerate(src_names):
                rows.append([s] + [int(x) for x in counts[i]])
            rep.h(3, "Explanations per source and label")
            rep.table(["source"] + labels + ["no label"], rows)
            fig, ax = plt.subplots(figsize=(8, 4))
            width = 0.8 / len(src_names)
            x = np.arange(len(labels) + 1)
            for i, s in enumerate(src_names):
                ax.bar(x + i * width, counts[i], width, label=s)
            ax.set_xticks(x + 0.4 - width / 2)
            ax.set_xticklabels(labels + ["no label"])
            ax.set_xlabel("label the explanation was written for")
            ax.set_ylabel("explanations (count)")
            ax.set_title("Explanations per label and source")
            ax.legend(fontsize=8)
            rep.figure(fig, "explanations_per_label.png", "Explanations per label and source")
            # Lengths.
            lengths = np.array([len(t.split()) for t in expl["text"]])
            fig, ax = plt.subplots(figsize=(8, 4))
            bins = np.arange(0, max(5, lengths.max() + 2))
            for s in src_names:
                sel = np.array([x == s for x in sources])
                ax.hist(lengths[sel], bins=bins, alpha=0.5, label=s)
            ax.set_xlabel("explanation length (words)")
            ax.set_ylabel("explanations (count)")
            ax.set_title("Explanation length by source")
            ax.legend(fontsize=8)
            rep.figure(fig, "explanation_lengths.png", "Explanation length histogram by source")
            # Examples.
            finish = decode(expl, "finish") if "finish" in expl else [""] * len(sources)
            rep.h(3, "Example explanations")
            shown = []
            for s in src_names:
                idx = [i for i, x in enumerate(sources) if x == s][:3]
                for i in idx:
                    row = int(expl["instance"][i])
                    premise = inst["text_a"][row] if inst and row < n_inst else ""
                    hyp = inst["text_b"][row] if inst and row < n_inst else ""
                    lname = labels[lab[i]] if 0 <= lab[i] < len(labels) else "no label"
                    shown.append([s, lname, premise[:80], hyp[:80], expl["text"][i][:160], finish[i]])
            rep.table(["source", "label", "premise", "hypothesis", "explanation", "finish"], shown)
        # Judgments against human distributions.
        if inst is not None and "label_counts" in inst:
            human = human_dist(inst["label_counts"])
            for name in subgroups(f, "judgments"):
                j = read_table(f, "judgments/" + name)
                if j is None or not len(j.get("instance", [])):
                    continue
                rows_i = np.asarray(j["instance"], dtype=int)
                probs = np.asarray(j["probs"], dtype=np.float64)
                h = human[rows_i]
                ok = ~np.isnan(h).any(axis=1)
                if not ok.any():
                    continue
                kl = kl_clipped(h[ok], probs[ok])
                fig, axes = plt.subplots(1, 2, figsize=(10, 4))
                for k, lname in enumerate(labels):
                    axes[0].scatter(h[ok, k], probs[ok, k], s=10, alpha=0.6, label=lname)
                axes[0].plot([0, 1], [0, 1], "k--", lw=0.8)
                axes[0].set_xlabel("human probability of the label")
                axes[0].set_ylabel("model judgment probability")
                axes[0].set_title("MJD vs human distribution (%s)" % name)
                axes[0].legend(fontsize=8)
                axes[1].hist(kl, bins=30)
                axes[1].set_xlabel("KL(human || model) per item (nats)")
                axes[1].set_ylabel("items (count)")
                axes[1].set_title("KL divergence, mean %.3f (%s)" % (kl.mean(), name))
                rep.figure(fig, "judgments_%s.png" % name, "Model judgment distribution '%s' against human "
                           "distributions, and the per-item KL histogram" % name)
        # Confusion matrices of predictions against gold.
        for name in subgroups(f, "predictions"):
            p = read_table(f, "predictions/" + name)
            if p is None or inst is None or not len(p.get("instance", [])):
                continue
            rows_i = np.asarray(p["instance"], dtype=int)
            gold = np.asarray(inst["gold"], dtype=int)[rows_i]
            pred = np.asarray(p["probs"]).argmax(axis=1)
            ok = gold >= 0
            L = np.asarray(p["probs"]).shape[1]
            cm = np.zeros((L, L), dtype=int)
            for g_, q_ in zip(gold[ok], pred[ok]):
                cm[g_, q_] += 1
            fig, ax = plt.subplots(figsize=(4.5, 4))
            ax.imshow(cm, cmap="Blues")
            for a in range(L):
                for b in range(L):
                    ax.text(b, a, str(cm[a, b]), ha="center", va="center")
            names = labels[:L] if len(labels) >= L else [str(i) for i in range(L)]
            ax.set_xticks(range(L))
            ax.set_xticklabels(names, rotation=30, fontsize=8)
            ax.set_yticks(range(L))
            ax.set_yticklabels(names, fontsize=8)
            ax.set_xlabel("predicted label")
            ax.set_ylabel("gold label")
            acc = np.trace(cm) / max(1, cm.sum())
            ax.set_title("%s (accuracy %.3f, n=%d)" % (name, acc, cm.sum()), fontsize=9)
            rep.figure(fig, "confusion_%s.png" % name, "Confusion matrix of predictions '%s'" % name)


def _read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    return rows


def training_logs(run):
    """{model name: rows of RUN/logs/train-NAME.jsonl}."""
    logs = {}
    for path in sorted(glob.glob(os.path.join(run, "logs", "train-*.jsonl"))):
        name = os.path.basename(path)[len("train-"):-len(".jsonl")]
        logs[name] = _read_jsonl(path)
    return logs


def section_training(rep, run):
    logs = training_logs(run)
    if not logs:
        return
    rep.h(2, "Training")
    fig, ax = plt.subplots(figsize=(8, 4))
    rows = []
    for name, log in logs.items():
        pts = [(r["step"], r["loss"]) for r in log if "loss" in r and "step" in r and "eval" not in r]
        if pts:
            s, l = zip(*pts)
            ax.plot(s, l, label="%s train" % name)
        ev = {}
        for r in log:
            for split, m in (r.get("eval") or {}).items():
                if isinstance(m, dict) and "loss" in m:
                    ev.setdefault(split, []).append((r["step"], m["loss"]))
        for split, e in ev.items():
            s, l = zip(*e)
            ax.plot(s, l, "o--", ms=3, label="%s %s" % (name, split))
        last = [r for r in log if "samples_per_s" in r]
        if last:
            rows.append([name, len(pts), float(np.mean([r["samples_per_s"] for r in last])),
                         float(np.mean([r.get("tokens_per_s", 0.0) for r in last])),
                         float(np.mean([r.get("allreduce_wait_frac", 0.0) for r in last]))])
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (nats)")
    ax.set_title("Training and evaluation loss")
    ax.legend(fontsize=7)
    rep.figure(fig, "training_curves.png", "Training and evaluation loss per step, per model")
    rep.table(["model", "logged steps", "samples/s", "tokens/s", "all-reduce wait (fraction)"], rows)


def section_throughput(rep, run):
    stats = []
    for path in sorted(glob.glob(os.path.join(run, "stats", "*-rank-*.json"))):
        with open(path, encoding="utf-8") as fh:
            try:
                d = json.load(fh)
            except ValueError:
                continue
        stage = os.path.basename(path).rsplit("-rank-", 1)[0]
        secs = d.get("seconds_total") or 0
        if secs > 0:
            stats.append((stage, d.get("rank", 0), d.get("instances", 0) / secs,
                          d.get("generated_tokens", 0) / secs, d.get("seconds_generate", 0) / secs,
                          d.get("instances", 0), secs,
                          round(d["peak_rss_bytes"] / 2**20, 1) if d.get("peak_rss_bytes", 0) > 0 else "n/a"))
    logs = training_logs(run)
    if not stats and not logs:
        return
    rep.h(2, "Throughput")
    if stats:
        rep.table(["stage", "rank", "instances/s", "generated tokens/s", "time in generation (fraction)",
                   "instances", "seconds", "peak RSS (MiB)"], [list(s) for s in stats])
        fig, ax = plt.subplots(figsize=(8, 4))
        stages = sorted(set(s[0] for s in stats))
        ranks = sorted(set(s[1] for s in stats))
        width = 0.8 / max(1, len(ranks))
        for k, r in enumerate(ranks):
            vals = [next((s[2] for s in stats if s[0] == st and s[1] == r), 0) for st in stages]
            ax.bar(np.arange(len(stages)) + k * width, vals, width, label="rank %d" % r)
        ax.set_xticks(np.arange(len(stages)) + 0.4 - width / 2)
        ax.set_xticklabels(stages, fontsize=8)
        ax.set_ylabel("throughput (instances/s)")
        ax.set_xlabel("stage")
        ax.set_title("Explain and judge throughput per rank")
        ax.legend(fontsize=8)
        rep.figure(fig, "throughput_per_rank.png", "Explain and judge throughput per rank")
    if logs:
        fig, ax = plt.subplots(figsize=(8, 4))
        for name, log in logs.items():
            pts = [(r["step"], r["samples_per_s"]) for r in log if "samples_per_s" in r]
            if pts:
                s, v = zip(*pts)
                ax.plot(s, v, label=name)
        ax.set_xlabel("optimizer step (time order)")
        ax.set_ylabel("throughput (samples/s, all ranks)")
        ax.set_title("Training throughput over time")
        ax.legend(fontsize=8)
        rep.figure(fig, "training_throughput.png", "Training throughput over the run")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", help="run directory")
    ap.add_argument("--out", help="output directory (default RUN/report)")
    a = ap.parse_args()
    if not os.path.isdir(a.run):
        sys.exit("report.py: %s is not a directory" % a.run)
    out = a.out or os.path.join(a.run, "report")
    os.makedirs(out, exist_ok=True)
    rep = Report(out)
    rep.h(1, "because report: %s" % os.path.abspath(a.run))
    section_metrics(rep, a.run)
    section_store(rep, a.run)
    section_training(rep, a.run)
    section_throughput(rep, a.run)
    rep.write("because report")
    print("report: %s (%d plots)" % (os.path.join(out, "report.md"), len(rep.plots)))


if __name__ == "__main__":
    main()
