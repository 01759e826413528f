#!/usr/bin/python3
"""Independent reference for GPT-2 ids: OpenAI's original encoder.py algorithm (bytes_to_unicode,
min-rank pair merging on strings) over vocab.json/merges.txt, with the pre-tokenizer regex
written with Python `re` classes ([^\\W\\d_] for letters; valid for the test sentences, which
hold only ASCII digits). Prints one JSON list of ids per input line of sentences.json."""
import json
import re
import sys


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def get_pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


def main(d):
    encoder = json.load(open(d + "/vocab.json", encoding="utf-8"))
    merges = open(d + "/merges.txt", encoding="utf-8").read().split("\n")[1:-1]
    ranks = {tuple(m.split()): i for i, m in enumerate(merges)}
    b2u = bytes_to_unicode()
    pat = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")

    def bpe(token):
        word = tuple(token)
        pairs = get_pairs(word)
        if not pairs:
            return [token]
        while True:
            bigram = min(pairs, key=lambda p: ranks.get(p, float("inf")))
            if bigram not in ranks:
                break
            first, second = bigram
            new, i = [], 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new.extend(word[i:j])
                    i = j
                except ValueError:
                    new.extend(word[i:])
                    break
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new.append(first + second)
                    i += 2
                else:
                    new.append(word[i])
                    i += 1
            word = tuple(new)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        return list(word)

    for text in json.load(sys.stdin):
        ids = []
        for tok in re.findall(pat, text):
            tok = "".join(b2u[b] for b in tok.encode("utf-8"))
            ids.extend(encoder[t] for t in bpe(tok))
        print(json.dumps(ids))


if __name__ == "__main__":
    main(sys.argv[1])
