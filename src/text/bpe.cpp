// BPE merging with a priority queue over a linked list of symbols (lowest rank, then leftmost,
// first: the order of tokenizers' BPE::merge_word), and WordPiece greedy matching.
#include "text/bpe.h"

#include <queue>

#include "text/unicode.h"
#include "util/error.h"

namespace because::text {

void BpeModel::add_merge(const std::string& a, const std::string& b) {
  auto ia = vocab.find(a), ib = vocab.find(b), iab = vocab.find(a + b);
  if (ia == vocab.end() || ib == vocab.end() || iab == vocab.end())
    throw ModelError("BPE merge '" + a + " " + b + "' refers to a token missing from the vocabulary");
  const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(ia->second)) << 32) | static_cast<uint32_t>(ib->second);
  merges.emplace(key, std::make_pair(static_cast<int32_t>(merges.size()), iab->second));
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges) {
    auto it = vocab.find(std::string(word));
    if (it != vocab.end()) {
      out.push_back(it->second);
      return;
    }
  }
  struct Sym {
    int32_t id;
    int32_t prev, next;
    bool alive;
  };
  std::vector<Sym> syms;
  syms.reserve(word.size());
  size_t i = 0;
  std::string ch;
  while (i < word.size()) {
    const size_t n = std::min<size_t>(unicode::utf8_length(static_cast<unsigned char>(word[i])), word.size() - i);
    ch.assign(word.substr(i, n));
    auto it = vocab.find(ch);
    if (it != vocab.end()) {
      syms.push_back({it->second, 0, 0, true});
    } else if (byte_fallback && !byte_ids.empty() &&
               [&] { for (char b : ch) if (byte_ids[static_cast<unsigned char>(b)] < 0) return false; return true; }()) {
      for (char b : ch) syms.push_back({byte_ids[static_cast<unsigned char>(b)], 0, 0, true});
    } else if (unk_id >= 0) {
      if (!(fuse_unk && !syms.empty() && syms.back().id == unk_id)) syms.push_back({unk_id, 0, 0, true});
    }
    i += n;
  }
  const int32_t n = static_cast<int32_t>(syms.size());
  for (int32_t k = 0; k < n; ++k) {
    syms[k].prev = k - 1;
    syms[k].next = k + 1 < n ? k + 1 : -1;
  }
  struct Cand {
    int32_t rank, pos, left, right, merged;
    bool operator<(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Cand> heap;
  auto push = [&](int32_t pos) {
    if (pos < 0) return;
    const int32_t nx = syms[pos].next;
    if (nx < 0) return;
    const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(syms[pos].id)) << 32) | static_cast<uint32_t>(syms[nx].id);
    auto it = merges.find(key);
    if (it != merges.end()) heap.push({it->second.first, pos, syms[pos].id, syms[nx].id, it->second.second});
  };
  for (int32_t k = 0; k + 1 < n; ++k) push(k);
  while (!heap.empty()) {
    const Cand c = heap.top();
    heap.pop();
    Sym& l = syms[c.pos];
    if (!l.alive || l.id != c.left || l.next < 0 || syms[l.next].id != c.right) continue;
    Sym& r = syms[l.next];
    r.alive = false;
    l.id = c.merged;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = c.pos;
    push(l.prev);
    push(c.pos);
  }
  for (int32_t k = 0; k >= 0 && k < n; k = syms[k].next) out.push_back(syms[k].id);
}

void WordPieceModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  const auto cps = unicode::decode_utf8(word);
  if (cps.size() > max_chars) {
    out.push_back(unk_id);
    return;
  }
  std::vector<size_t> offs;  // byte offset of each code point
  size_t b = 0;
  for (char32_t c : cps) {
    offs.push_back(b);
    std::string tmp;
    unicode::append_utf8(tmp, c);
    b += tmp.size();
  }
  offs.push_back(word.size());
  std::vector<int32_t> ids;
  size_t start = 0;
  std::string sub;
  while (start < cps.size()) {
    size_t end = cps.size();
    int32_t found = -1;
    while (start < end) {
      sub.clear();
      if (start > 0) sub = prefix;
      sub.append(word.substr(offs[start], offs[end] - offs[start]));
      auto it = vocab.find(sub);
      if (it != vocab.end()) {
        found = it->second;
        break;
      }
      --end;
    }
    if (found < 0) {
      out.push_back(unk_id);
      return;
    }
    ids.push_back(found);
    start = end;
  }
  out.insert(out.end(), ids.begin(), ids.end());
}

}  // namespace because::text
