#!/usr/bin/python3
"""Independent reference for BERT uncased ids: the algorithm of google-research/bert
tokenization.py (BasicTokenizer with lower-casing and accent stripping, WordpieceTokenizer)
over vocab.txt. Prints one JSON list of ids ([CLS] ... [SEP]) per sentence of the input."""
import json
import sys
import unicodedata


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf")


def is_punct(c):
    cp = ord(c)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic(text):
    text = "".join(" " if is_whitespace(c) else c for c in text if not (ord(c) == 0 or ord(c) == 0xFFFD or is_control(c)))
    text = "".join(f" {c} " if is_cjk(ord(c)) else c for c in text)
    out = []
    for tok in text.strip().split():
        tok = tok.lower()
        tok = "".join(c for c in unicodedata.normalize("NFD", tok) if unicodedata.category(c) != "Mn")
        cur = ""
        for c in tok:
            if is_punct(c):
                if cur:
                    out.append(cur)
                out.append(c)
                cur = ""
            else:
                cur += c
        if cur:
            out.append(cur)
    return out


def wordpiece(tok, vocab):
    if len(tok) > 100:
        return ["[UNK]"]
    out, start = [], 0
    while start < len(tok):
        end, cur = len(tok), None
        while start < end:
            sub = tok[start:end]
            if start > 0:
                sub = "##" + sub
            if sub in vocab:
                cur = sub
                break
            end -= 1
        if cur is None:
            return ["[UNK]"]
        out.append(cur)
        start = end
    return out


def main(path):
    vocab = {}
    for i, line in enumerate(open(path, encoding="utf-8")):
        vocab[line.rstrip("\n")] = i
    for text in json.load(sys.stdin):
        toks = ["[CLS]"] + [p for w in basic(text) for p in wordpiece(w, vocab)] + ["[SEP]"]
        print(json.dumps([vocab[t] for t in toks]))


if __name__ == "__main__":
    main(sys.argv[1])
