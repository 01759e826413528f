"""Writes a synthetic NLI corpus (jsonl: uid, premise, hypothesis, label) of N instances.
Usage: make_synthetic_corpus.py OUT N"""
import json, random, sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
subjects = ["A man", "A woman", "Two children", "A dog", "An old farmer", "A group of students", "The chef"]
verbs = ["is walking along", "is painting", "is looking at", "is sitting near", "is cleaning", "is running past"]
objects = ["the river", "a red car", "the old bridge", "a small house", "the market", "a tall tree"]
labels = ["entailment", "neutral", "contradiction"]
with open(out, "w") as f:
    for i in range(n):
        p = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}."
        h = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}."
        f.write(json.dumps({"uid": f"syn{i}", "premise": p, "hypothesis": h, "label": labels[i % 3]}) + "\n")
