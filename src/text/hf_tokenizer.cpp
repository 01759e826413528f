// tokenizer.json: normalizers (Prepend, Replace, Lowercase, BertNormalizer, NFC of composed
// text), pre-tokenizers (ByteLevel, Split, Metaspace, BertPreTokenizer, Whitespace), models
// (BPE, WordPiece), post-processors (TemplateProcessing, BertProcessing, RobertaProcessing),
// decoders (ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, WordPiece), added tokens.
#include "text/hf_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <tuple>

#include "text/unicode.h"
#include "util/error.h"
#include "util/files.h"

namespace because::text {
namespace {

using json = nlohmann::json;

[[noreturn]] void unsupported(const std::string& where, const std::string& what) {
  throw ModelError(where + ": unsupported tokenizer component: " + what);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

struct Normalizer {
  enum Kind { kPrepend, kReplace, kLowercase, kBert, kNfcPassThrough } kind;
  std::string a, b;
  bool clean_text = true, chinese = true, strip_accents = true, lowercase = true;
};

struct PreTok {
  enum Kind { kByteLevel, kSplit, kMetaspace, kBert, kWhitespace, kWhitespaceSplit, kSpWords } kind;
  bool add_prefix_space = false, use_regex = true;
  SplitPattern pattern = SplitPattern::kGpt2;
  std::string replacement = "\xe2\x96\x81";
  std::string prepend_scheme = "always";
  bool split = false;
};

struct DecStep {
  enum Kind { kByteLevel, kReplace, kByteFallback, kFuse, kStrip, kMetaspace, kWordPiece } kind;
  std::string a, b;
  int start = 0, stop = 0;
  bool flag = true;  // Metaspace: strip first space; WordPiece: cleanup
};

struct TemplateItem {
  bool special;
  std::string token;  // special token name, or "A"/"B"
  int32_t type_id;
};

struct Piece {
  std::string text;
  bool first;  // starts at offset 0 of the original text
};

class HfTokenizer : public Tokenizer {
 public:
  std::string kind_;
  std::vector<Normalizer> norms;
  std::vector<PreTok> pretoks;
  bool is_bpe = true;
  BpeModel bpe;
  WordPieceModel wp;
  std::vector<AddedToken> added;
  std::unordered_map<std::string, int32_t> added_ids;
  std::unordered_map<int32_t, const AddedToken*> added_by_id;
  std::vector<TemplateItem> single, pair;
  std::unordered_map<std::string, std::vector<int32_t>> special_map;
  std::vector<DecStep> decoders;
  int32_t n_vocab = 0;

  std::string kind() const override { return kind_; }
  int32_t vocab_size() const override { return n_vocab; }

  const std::vector<std::string>& model_tokens() const { return is_bpe ? bpe.id_to_token : wp.id_to_token; }

  std::string id_to_token(int32_t id) const override {
    auto it = added_by_id.find(id);
    if (it != added_by_id.end()) return it->second->content;
    const auto& t = model_tokens();
    return id >= 0 && id < static_cast<int32_t>(t.size()) ? t[id] : "";
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override {
    auto a = added_ids.find(std::string(token));
    if (a != added_ids.end()) return a->second;
    const auto& v = is_bpe ? bpe.vocab : wp.vocab;
    auto it = v.find(std::string(token));
    if (it != v.end()) return it->second;
    return std::nullopt;
  }

  bool is_special(int32_t id) const override {
    auto it = added_by_id.find(id);
    return it != added_by_id.end() && it->second->special;
  }

  std::string normalize(const std::string& s) const {
    std::string cur = s;
    for (const auto& n : norms) {
      switch (n.kind) {
        case Normalizer::kPrepend:
          if (!cur.empty()) cur = n.a + cur;
          break;
        case Normalizer::kReplace:
          cur = replace_all(cur, n.a, n.b);
          break;
        case Normalizer::kLowercase: {
          std::string out;
          for (char32_t c : unicode::decode_utf8(cur)) unicode::append_lower(out, c);
          cur = std::move(out);
          break;
        }
        case Normalizer::kNfcPassThrough:
          break;
        case Normalizer::kBert: {
          std::string out;
          for (char32_t c : unicode::decode_utf8(cur)) {
            if (n.clean_text) {
              if (c == 0 || c == 0xFFFD || (c != '\t' && c != '\n' && c != '\r' && unicode::is_other(c))) continue;
              if (unicode::is_whitespace(c)) c = ' ';
            }
            if (n.chinese && unicode::is_cjk(c)) {
              out += ' ';
              unicode::append_utf8(out, c);
              out += ' ';
            } else {
              unicode::append_utf8(out, c);
            }
          }
          if (n.strip_accents) {
            std::string s2;
            for (char32_t c : unicode::decode_utf8(out)) unicode::append_strip_accents(s2, c);
            out = std::move(s2);
          }
          if (n.lowercase) {
            std::string s2;
            for (char32_t c : unicode::decode_utf8(out)) unicode::append_lower(s2, c);
            out = std::move(s2);
          }
          cur = std::move(out);
          break;
        }
      }
    }
    return cur;
  }

  std::vector<Piece> pre_tokenize(std::vector<Piece> in) const {
    for (const auto& p : pretoks) {
      std::vector<Piece> out;
      for (auto& piece : in) {
        switch (p.kind) {
          case PreTok::kByteLevel: {
            std::string t = piece.text;
            if (p.add_prefix_space && piece.first && !t.empty() && t[0] != ' ') t = " " + t;
            std::vector<std::string> parts;
            if (p.use_regex) parts = split_regex(t, SplitPattern::kGpt2);
            else parts.push_back(t);
            const auto& map = bytes_to_unicode();
            bool first = piece.first;
            for (const auto& part : parts) {
              std::string m;
              for (char c : part) m += map[static_cast<unsigned char>(c)];
              out.push_back({m, first});
              first = false;
            }
            break;
          }
          case PreTok::kSplit: {
            bool first = piece.first;
            for (auto& part : split_regex(piece.text, p.pattern)) {
              out.push_back({part, first});
              first = false;
            }
            break;
          }
          case PreTok::kMetaspace: {
            std::string t = replace_all(piece.text, " ", p.replacement);
            const bool starts = t.compare(0, p.replacement.size(), p.replacement) == 0;
            if (!starts && (p.prepend_scheme == "always" || (p.prepend_scheme == "first" && piece.first))) t = p.replacement + t;
            if (!p.split) {
              out.push_back({t, piece.first});
            } else {  // split before each replacement (MergedWithNext)
              size_t s = 0;
              for (size_t k = p.replacement.size(); k <= t.size(); ++k) {
                if (k == t.size() || t.compare(k, p.replacement.size(), p.replacement) == 0) {
                  out.push_back({t.substr(s, k - s), piece.first && s == 0});
                  s = k;
                }
              }
            }
            break;
          }
          case PreTok::kBert:
            for (auto& part : split_bert(piece.text)) out.push_back({part, false});
            break;
          case PreTok::kSpWords: {
            // sentencepiece words: a word starts at the last "▁" of a run of "▁" that precedes
            // other characters; the rest of such a run is a white-space-only word.
            const std::string& t = piece.text;
            const std::string& m = p.replacement;
            auto is_m = [&](size_t k) { return t.compare(k, m.size(), m) == 0; };
            size_t start = 0, k = 0;
            while (k < t.size()) {
              if (!is_m(k)) {
                k += unicode::utf8_length(static_cast<unsigned char>(t[k]));
                continue;
              }
              size_t run_end = k;
              while (run_end < t.size() && is_m(run_end)) run_end += m.size();
              if (run_end == t.size()) break;  // trailing run stays with the current word
              const size_t last = run_end - m.size();
              if (k > start) out.push_back({t.substr(start, k - start), false});
              if (last > k) out.push_back({t.substr(k, last - k), false});
              start = last;
              k = run_end;
            }
            if (start < t.size()) out.push_back({t.substr(start), false});
            break;
          }
          case PreTok::kWhitespace:
            for (auto& part : split_whitespace_words(piece.text)) out.push_back({part, false});
            break;
          case PreTok::kWhitespaceSplit: {
            std::string cur;
            for (char32_t c : unicode::decode_utf8(piece.text)) {
              if (unicode::is_whitespace(c)) {
                if (!cur.empty()) out.push_back({cur, false});
                cur.clear();
              } else {
                unicode::append_utf8(cur, c);
              }
            }
            if (!cur.empty()) out.push_back({cur, false});
            break;
          }
        }
      }
      in = std::move(out);
    }
    return in;
  }

  /// Splits `text` around added tokens: (segment, added id or -1, starts at offset 0).
  std::vector<std::tuple<std::string, int32_t, bool>> split_added(std::string_view text) const {
    std::vector<std::tuple<std::string, int32_t, bool>> out;
    size_t seg_start = 0, i = 0;
    while (i < text.size()) {
      const AddedToken* best = nullptr;
      for (const auto& a : added) {
        if (a.content.empty() || text.compare(i, a.content.size(), a.content) != 0) continue;
        if (!best || a.content.size() > best->content.size()) best = &a;
      }
      if (!best) {
        ++i;
        continue;
      }
      size_t seg_end = i, next = i + best->content.size();
      if (best->lstrip)
        while (seg_end > seg_start && std::isspace(static_cast<unsigned char>(text[seg_end - 1]))) --seg_end;
      if (best->rstrip)
        while (next < text.size() && std::isspace(static_cast<unsigned char>(text[next]))) ++next;
      if (seg_end > seg_start) out.emplace_back(std::string(text.substr(seg_start, seg_end - seg_start)), -1, seg_start == 0);
      out.emplace_back(best->content, best->id, i == 0);
      seg_start = i = next;
    }
    if (seg_start < text.size()) out.emplace_back(std::string(text.substr(seg_start)), -1, seg_start == 0);
    return out;
  }

  std::vector<int32_t> encode_raw(std::string_view text) const {
    std::vector<int32_t> ids;
    for (auto& [seg, id, first] : split_added(text)) {
      if (id >= 0) {
        ids.push_back(id);
        continue;
      }
      std::vector<Piece> pieces{{normalize(seg), first}};
      for (auto& p : pre_tokenize(std::move(pieces))) {
        if (is_bpe) bpe.encode_word(p.text, ids);
        else wp.encode_word(p.text, ids);
      }
    }
    return ids;
  }

  Encoding apply_template(const std::vector<TemplateItem>& tmpl, const std::vector<int32_t>& a,
                          const std::vector<int32_t>* b, bool add_special) const {
    Encoding e;
    auto add = [&](const std::vector<int32_t>& ids, int32_t type) {
      for (auto id : ids) {
        e.ids.push_back(id);
        e.type_ids.push_back(type);
      }
    };
    if (!add_special || tmpl.empty()) {
      add(a, 0);
      if (b) add(*b, 1);
    } else {
      for (const auto& item : tmpl) {
        if (!item.special) add(item.token == "A" ? a : *b, item.type_id);
        else add(special_map.at(item.token), item.type_id);
      }
    }
    for (auto id : e.ids) e.tokens.push_back(id_to_token(id));
    return e;
  }

  Encoding encode_full(std::string_view text, bool add_special) const override {
    return apply_template(single, encode_raw(text), nullptr, add_special);
  }

  Encoding encode_pair(std::string_view a, std::string_view b, bool add_special) const override {
    const auto ia = encode_raw(a), ib = encode_raw(b);
    return apply_template(pair, ia, &ib, add_special);
  }

  std::string decode(const std::vector<int32_t>& ids, bool skip_special) const override {
    std::vector<std::string> toks;
    for (auto id : ids) {
      if (skip_special && is_special(id)) continue;
      toks.push_back(id_to_token(id));
    }
    for (const auto& d : decoders) {
      switch (d.kind) {
        case DecStep::kReplace:
          for (auto& t : toks) t = replace_all(t, d.a, d.b);
          break;
        case DecStep::kByteFallback: {
          std::vector<std::string> out;
          std::string bytes;
          size_t n_bytes = 0;
          auto flush = [&] {
            if (n_bytes == 0) return;
            bool valid = true;
            for (size_t k = 0; k < bytes.size();) {
              const int n = unicode::utf8_length(static_cast<unsigned char>(bytes[k]));
              if ((n == 1 && static_cast<unsigned char>(bytes[k]) >= 0x80) || k + n > bytes.size()) { valid = false; break; }
              for (int q = 1; q < n; ++q)
                if ((static_cast<unsigned char>(bytes[k + q]) & 0xC0) != 0x80) valid = false;
              k += n;
            }
            if (valid) out.push_back(bytes);
            else for (size_t k = 0; k < n_bytes; ++k) out.push_back("\xef\xbf\xbd");
            bytes.clear();
            n_bytes = 0;
          };
          for (auto& t : toks) {
            if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
              bytes.push_back(static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16)));
              ++n_bytes;
            } else {
              flush();
              out.push_back(t);
            }
          }
          flush();
          toks = std::move(out);
          break;
        }
        case DecStep::kFuse: {
          std::string all;
          for (auto& t : toks) all += t;
          toks = {all};
          break;
        }
        case DecStep::kStrip:
          for (auto& t : toks) {
            int s = 0;
            while (s < d.start && t.compare(0, d.a.size(), d.a) == 0) {
              t.erase(0, d.a.size());
              ++s;
            }
            s = 0;
            while (s < d.stop && t.size() >= d.a.size() && t.compare(t.size() - d.a.size(), d.a.size(), d.a) == 0) {
              t.erase(t.size() - d.a.size());
              ++s;
            }
          }
          break;
        case DecStep::kMetaspace:
          for (size_t k = 0; k < toks.size(); ++k) {
            toks[k] = replace_all(toks[k], d.a, " ");
            if (k == 0 && d.flag && !toks[k].empty() && toks[k][0] == ' ') toks[k].erase(0, 1);
          }
          break;
        case DecStep::kWordPiece: {
          std::string all;
          for (size_t k = 0; k < toks.size(); ++k) {
            std::string t = toks[k];
            if (k > 0) {
              if (t.compare(0, d.a.size(), d.a) == 0) t.erase(0, d.a.size());
              else t = " " + t;
            }
            all += t;
          }
          if (d.flag) {
            for (auto [f, r] : std::vector<std::pair<std::string, std::string>>{
                     {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
                     {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}})
              all = replace_all(all, f, r);
          }
          toks = {all};
          break;
        }
        case DecStep::kByteLevel: {
          static const auto rev = [] {
            std::unordered_map<std::string, unsigned char> m;
            const auto& map = bytes_to_unicode();
            for (int b = 0; b < 256; ++b) m[map[b]] = static_cast<unsigned char>(b);
            return m;
          }();
          std::string bytes;
          for (auto& t : toks) {
            for (char32_t c : unicode::decode_utf8(t)) {
              std::string ch;
              unicode::append_utf8(ch, c);
              auto it = rev.find(ch);
              if (it != rev.end()) bytes.push_back(static_cast<char>(it->second));
              else bytes += ch;
            }
          }
          std::string clean;  // from_utf8_lossy
          for (char32_t c : unicode::decode_utf8(bytes)) unicode::append_utf8(clean, c);
          toks = {clean};
          break;
        }
      }
    }
    std::string out;
    for (auto& t : toks) out += t;
    return out;
  }
};

void parse_normalizer(const json& n, HfTokenizer& t, const std::string& where) {
  if (n.is_null()) return;
  const std::string type = n.at("type").get<std::string>();
  if (type == "Sequence") {
    for (const auto& x : n.at("normalizers")) parse_normalizer(x, t, where);
  } else if (type == "Prepend") {
    t.norms.push_back({Normalizer::kPrepend, n.at("prepend").get<std::string>(), ""});
  } else if (type == "Replace") {
    if (!n.at("pattern").contains("String")) unsupported(where, "Replace normalizer with a regex pattern");
    t.norms.push_back({Normalizer::kReplace, n["pattern"]["String"].get<std::string>(), n.at("content").get<std::string>()});
  } else if (type == "Lowercase") {
    t.norms.push_back({Normalizer::kLowercase, "", ""});
  } else if (type == "NFC") {
    // Text that is already composed (NFC) passes unchanged; decomposed input is rare in corpora.
    t.norms.push_back({Normalizer::kNfcPassThrough, "", ""});
  } else if (type == "BertNormalizer") {
    Normalizer x{Normalizer::kBert, "", ""};
    x.clean_text = n.value("clean_text", true);
    x.chinese = n.value("handle_chinese_chars", true);
    x.lowercase = n.value("lowercase", true);
    x.strip_accents = n.contains("strip_accents") && !n["strip_accents"].is_null() ? n["strip_accents"].get<bool>() : x.lowercase;
    t.norms.push_back(x);
  } else {
    unsupported(where, "normalizer " + type);
  }
}

void parse_pretok(const json& p, HfTokenizer& t, const std::string& where) {
  if (p.is_null()) return;
  const std::string type = p.at("type").get<std::string>();
  PreTok x{};
  if (type == "Sequence") {
    for (const auto& q : p.at("pretokenizers")) parse_pretok(q, t, where);
    return;
  } else if (type == "ByteLevel") {
    x.kind = PreTok::kByteLevel;
    x.add_prefix_space = p.value("add_prefix_space", false);
    x.use_regex = p.value("use_regex", true);
  } else if (type == "Split") {
    x.kind = PreTok::kSplit;
    if (!p.at("pattern").contains("Regex")) unsupported(where, "Split with a string pattern");
    x.pattern = parse_split_pattern(p["pattern"]["Regex"].get<std::string>());
    if (p.value("behavior", "Isolated") != "Isolated" || p.value("invert", false))
      unsupported(where, "Split behavior other than Isolated");
  } else if (type == "Metaspace") {
    x.kind = PreTok::kMetaspace;
    x.replacement = p.value("replacement", std::string("\xe2\x96\x81"));
    if (p.contains("prepend_scheme")) x.prepend_scheme = p["prepend_scheme"].get<std::string>();
    else x.prepend_scheme = p.value("add_prefix_space", true) ? "always" : "never";
    x.split = p.value("split", true);
  } else if (type == "BertPreTokenizer") {
    x.kind = PreTok::kBert;
  } else if (type == "Whitespace") {
    x.kind = PreTok::kWhitespace;
  } else if (type == "WhitespaceSplit") {
    x.kind = PreTok::kWhitespaceSplit;
  } else {
    unsupported(where, "pre_tokenizer " + type);
  }
  t.pretoks.push_back(x);
}

void parse_decoder(const json& d, HfTokenizer& t, const std::string& where) {
  if (d.is_null()) return;
  const std::string type = d.at("type").get<std::string>();
  DecStep x{};
  if (type == "Sequence") {
    for (const auto& q : d.at("decoders")) parse_decoder(q, t, where);
    return;
  } else if (type == "ByteLevel") {
    x.kind = DecStep::kByteLevel;
  } else if (type == "Replace") {
    x.kind = DecStep::kReplace;
    if (!d.at("pattern").contains("String")) unsupported(where, "Replace decoder with a regex");
    x.a = d["pattern"]["String"].get<std::string>();
    x.b = d.at("content").get<std::string>();
  } else if (type == "ByteFallback") {
    x.kind = DecStep::kByteFallback;
  } else if (type == "Fuse") {
    x.kind = DecStep::kFuse;
  } else if (type == "Strip") {
    x.kind = DecStep::kStrip;
    x.a = d.at("content").get<std::string>();
    x.start = d.value("start", 0);
    x.stop = d.value("stop", 0);
  } else if (type == "Metaspace") {
    x.kind = DecStep::kMetaspace;
    x.a = d.value("replacement", std::string("\xe2\x96\x81"));
    const std::string scheme = d.contains("prepend_scheme") ? d["prepend_scheme"].get<std::string>()
                                                            : (d.value("add_prefix_space", true) ? "always" : "never");
    x.flag = scheme != "never";
  } else if (type == "WordPiece") {
    x.kind = DecStep::kWordPiece;
    x.a = d.value("prefix", std::string("##"));
    x.flag = d.value("cleanup", true);
  } else {
    unsupported(where, "decoder " + type);
  }
  t.decoders.push_back(x);
}

void parse_post(const json& p, HfTokenizer& t, const std::string& where) {
  if (p.is_null()) return;
  const std::string type = p.at("type").get<std::string>();
  auto parse_tmpl = [&](const json& arr) {
    std::vector<TemplateItem> out;
    for (const auto& it : arr) {
      if (it.contains("SpecialToken")) out.push_back({true, it["SpecialToken"]["id"].get<std::string>(), it["SpecialToken"].value("type_id", 0)});
      else out.push_back({false, it.at("Sequence").at("id").get<std::string>(), it["Sequence"].value("type_id", 0)});
    }
    return out;
  };
  if (type == "Sequence") {
    for (const auto& q : p.at("processors")) parse_post(q, t, where);
  } else if (type == "ByteLevel") {
    // offsets only
  } else if (type == "TemplateProcessing") {
    t.single = parse_tmpl(p.at("single"));
    t.pair = parse_tmpl(p.at("pair"));
    for (auto it = p.at("special_tokens").begin(); it != p["special_tokens"].end(); ++it)
      t.special_map[it.key()] = (*it).at("ids").get<std::vector<int32_t>>();
  } else if (type == "BertProcessing" || type == "RobertaProcessing") {
    const auto sep = p.at("sep"), cls = p.at("cls");
    const std::string s = sep[0].get<std::string>(), c = cls[0].get<std::string>();
    t.special_map[s] = {sep[1].get<int32_t>()};
    t.special_map[c] = {cls[1].get<int32_t>()};
    t.single = {{true, c, 0}, {false, "A", 0}, {true, s, 0}};
    if (type == "BertProcessing") t.pair = {{true, c, 0}, {false, "A", 0}, {true, s, 0}, {false, "B", 1}, {true, s, 1}};
    else t.pair = {{true, c, 0}, {false, "A", 0}, {true, s, 0}, {true, s, 0}, {false, "B", 0}, {true, s, 0}};
  } else {
    unsupported(where, "post_processor " + type);
  }
}

void index_added(HfTokenizer& t) {
  for (const auto& a : t.added) t.added_ids[a.content] = a.id;
  for (const auto& a : t.added) t.added_by_id[a.id] = &a;
  int32_t n = static_cast<int32_t>(t.model_tokens().size());
  for (const auto& a : t.added) n = std::max(n, a.id + 1);
  t.n_vocab = n;
}

}  // namespace

std::unique_ptr<Tokenizer> make_tokenizer_json(const json& j, const std::string& where) {
  auto t = std::make_unique<HfTokenizer>();
  try {
    const auto& m = j.at("model");
    const std::string type = m.value("type", std::string(m.contains("merges") ? "BPE" : "WordPiece"));
    if (type == "BPE") {
      t->is_bpe = true;
      auto& b = t->bpe;
      for (auto it = m.at("vocab").begin(); it != m["vocab"].end(); ++it) b.vocab[it.key()] = it->get<int32_t>();
      b.id_to_token.resize(b.vocab.size());
      for (const auto& [k, v] : b.vocab) {
        if (v < 0) throw ModelError(where + ": negative id in vocab");
        if (static_cast<size_t>(v) >= b.id_to_token.size()) b.id_to_token.resize(v + 1);
        b.id_to_token[v] = k;
      }
      for (const auto& mg : m.at("merges")) {
        if (mg.is_array()) {
          b.add_merge(mg[0].get<std::string>(), mg[1].get<std::string>());
        } else {
          const auto s = mg.get<std::string>();
          const auto sp = s.find(' ', 1);
          if (sp == std::string::npos) throw ModelError(where + ": bad merge '" + s + "'");
          b.add_merge(s.substr(0, sp), s.substr(sp + 1));
        }
      }
      b.byte_fallback = m.value("byte_fallback", false);
      b.fuse_unk = m.value("fuse_unk", false);
      b.ignore_merges = m.value("ignore_merges", false);
      if (m.contains("unk_token") && !m["unk_token"].is_null()) {
        auto it = b.vocab.find(m["unk_token"].get<std::string>());
        if (it != b.vocab.end()) b.unk_id = it->second;
      }
      for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (m.contains(key) && !m[key].is_null() && !m[key].get<std::string>().empty())
          unsupported(where, std::string("BPE with ") + key);
      if (m.contains("dropout") && !m["dropout"].is_null() && m["dropout"].get<double>() > 0)
        unsupported(where, "BPE dropout");
      if (b.byte_fallback) {
        b.byte_ids.assign(256, -1);
        char name[8];
        for (int k = 0; k < 256; ++k) {
          std::snprintf(name, sizeof name, "<0x%02X>", k);
          auto it = b.vocab.find(name);
          if (it != b.vocab.end()) b.byte_ids[k] = it->second;
        }
      }
    } else if (type == "WordPiece") {
      t->is_bpe = false;
      auto& w = t->wp;
      for (auto it = m.at("vocab").begin(); it != m["vocab"].end(); ++it) w.vocab[it.key()] = it->get<int32_t>();
      w.id_to_token.resize(w.vocab.size());
      for (const auto& [k, v] : w.vocab) {
        if (static_cast<size_t>(v) >= w.id_to_token.size()) w.id_to_token.resize(v + 1);
        w.id_to_token[v] = k;
      }
      w.prefix = m.value("continuing_subword_prefix", std::string("##"));
      w.max_chars = m.value("max_input_chars_per_word", 100);
      auto it = w.vocab.find(m.value("unk_token", std::string("[UNK]")));
      w.unk_id = it != w.vocab.end() ? it->second : -1;
    } else {
      unsupported(where, "model " + type + " (supported: BPE, WordPiece)");
    }
    for (const auto& a : j.value("added_tokens", json::array())) {
      AddedToken x;
      x.content = a.at("content").get<std::string>();
      x.id = a.at("id").get<int32_t>();
      x.special = a.value("special", false);
      x.lstrip = a.value("lstrip", false);
      x.rstrip = a.value("rstrip", false);
      x.single_word = a.value("single_word", false);
      x.normalized = a.value("normalized", false);
      t->added.push_back(x);
    }
    index_added(*t);
    parse_normalizer(j.value("normalizer", json()), *t, where);
    parse_pretok(j.value("pre_tokenizer", json()), *t, where);
    parse_post(j.value("post_processor", json()), *t, where);
    parse_decoder(j.value("decoder", json()), *t, where);
    for (const auto& item : t->single)
      if (item.special && !t->special_map.count(item.token)) throw ModelError(where + ": template token " + item.token + " undefined");
    bool byte_level = false;
    for (const auto& p : t->pretoks) byte_level |= p.kind == PreTok::kByteLevel;
    t->kind_ = !t->is_bpe ? "wordpiece" : byte_level ? "bpe-bytelevel" : "bpe-sentencepiece";
  } catch (const json::exception& e) {
    throw ModelError(where + ": malformed tokenizer.json: " + e.what());
  }
  return t;
}

std::unique_ptr<Tokenizer> make_wordpiece_vocab(const std::string& path, bool lowercase) {
  auto t = std::make_unique<HfTokenizer>();
  t->is_bpe = false;
  std::ifstream in(path);
  if (!in) throw InputError("cannot read vocabulary " + path);
  std::string line;
  int32_t id = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    t->wp.vocab.emplace(line, id);
    t->wp.id_to_token.push_back(line);
    ++id;
  }
  auto find = [&](const char* s) {
    auto it = t->wp.vocab.find(s);
    if (it == t->wp.vocab.end()) throw ModelError(path + ": vocabulary lacks " + std::string(s));
    return it->second;
  };
  t->wp.unk_id = find("[UNK]");
  for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    auto it = t->wp.vocab.find(s);
    if (it != t->wp.vocab.end()) t->added.push_back({s, it->second, true, false, false, false, false});
  }
  index_added(*t);
  Normalizer n{Normalizer::kBert, "", ""};
  n.lowercase = lowercase;
  n.strip_accents = lowercase;
  t->norms.push_back(n);
  t->pretoks.push_back(PreTok{PreTok::kBert});
  const int32_t cls = find("[CLS]"), sep = find("[SEP]");
  t->special_map["[CLS]"] = {cls};
  t->special_map["[SEP]"] = {sep};
  t->single = {{true, "[CLS]", 0}, {false, "A", 0}, {true, "[SEP]", 0}};
  t->pair = {{true, "[CLS]", 0}, {false, "A", 0}, {true, "[SEP]", 0}, {false, "B", 1}, {true, "[SEP]", 1}};
  DecStep d{DecStep::kWordPiece, "##", ""};
  d.flag = true;
  t->decoders.push_back(d);
  t->kind_ = "wordpiece";
  return t;
}

}  // namespace because::text

// ---------------------------------------------------------------------------------------------
// Sentencepiece .model files, read natively (protobuf wire format) and run through the same BPE
// as tokenizer.json, with merges derived from the piece scores as transformers' converter does
// (libsentencepiece is not linked: its bundled protobuf clashes with libtorch's at load time).

namespace because::text {
namespace {

struct ProtoReader {
  const unsigned char* p;
  const unsigned char* end;
  std::string where;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) throw ModelError(where + ": truncated sentencepiece model");
      const unsigned char b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw ModelError(where + ": bad varint in sentencepiece model");
  }
  bool next(int& field, int& wire) {
    if (p >= end) return false;
    const uint64_t key = varint();
    field = static_cast<int>(key >> 3);
    wire = static_cast<int>(key & 7);
    return true;
  }
  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > static_cast<uint64_t>(end - p)) throw ModelError(where + ": truncated sentencepiece model");
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
  float fixed32() {
    if (end - p < 4) throw ModelError(where + ": truncated sentencepiece model");
    float f;
    std::memcpy(&f, p, 4);
    p += 4;
    return f;
  }
  void skip(int wire) {
    if (wire == 0) varint();
    else if (wire == 1) p += 8;
    else if (wire == 2) bytes();
    else if (wire == 5) p += 4;
    else throw ModelError(where + ": unsupported protobuf wire type");
    if (p > end) throw ModelError(where + ": truncated sentencepiece model");
  }
  ProtoReader sub() {
    auto s = bytes();
    return {reinterpret_cast<const unsigned char*>(s.data()), reinterpret_cast<const unsigned char*>(s.data()) + s.size(), where};
  }
};

}  // namespace

std::unique_ptr<Tokenizer> make_sentencepiece(const std::string& path, bool add_bos, bool add_eos) {
  const std::string data = files::read_text(path);
  ProtoReader r{reinterpret_cast<const unsigned char*>(data.data()),
                reinterpret_cast<const unsigned char*>(data.data()) + data.size(), path};
  struct Piece {
    std::string text;
    float score = 0;
    int type = 1;
  };
  std::vector<Piece> pieces;
  int model_type = 1;
  bool byte_fallback = false, add_dummy_prefix = true, remove_extra_ws = true, escape_ws = true;
  int64_t unk_id = 0, bos_id = 1, eos_id = 2;
  std::string norm_name = "nmt_nfkc";
  int field, wire;
  while (r.next(field, wire)) {
    if (field == 1 && wire == 2) {
      auto s = r.sub();
      Piece pc;
      while (s.next(field, wire)) {
        if (field == 1 && wire == 2) pc.text = std::string(s.bytes());
        else if (field == 2 && wire == 5) pc.score = s.fixed32();
        else if (field == 3 && wire == 0) pc.type = static_cast<int>(s.varint());
        else s.skip(wire);
      }
      pieces.push_back(std::move(pc));
    } else if (field == 2 && wire == 2) {
      auto s = r.sub();
      while (s.next(field, wire)) {
        if (field == 3 && wire == 0) model_type = static_cast<int>(s.varint());
        else if (field == 35 && wire == 0) byte_fallback = s.varint() != 0;
        else if (field == 40 && wire == 0) unk_id = static_cast<int64_t>(s.varint());
        else if (field == 41 && wire == 0) bos_id = static_cast<int64_t>(s.varint());
        else if (field == 42 && wire == 0) eos_id = static_cast<int64_t>(s.varint());
        else s.skip(wire);
      }
    } else if (field == 3 && wire == 2) {
      auto s = r.sub();
      while (s.next(field, wire)) {
        if (field == 1 && wire == 2) norm_name = std::string(s.bytes());
        else if (field == 3 && wire == 0) add_dummy_prefix = s.varint() != 0;
        else if (field == 4 && wire == 0) remove_extra_ws = s.varint() != 0;
        else if (field == 5 && wire == 0) escape_ws = s.varint() != 0;
        else s.skip(wire);
      }
    } else {
      r.skip(wire);
    }
  }
  if (pieces.empty()) throw ModelError(path + ": not a sentencepiece model (no pieces)");
  if (model_type != 2)
    throw ModelError(path + ": sentencepiece model type " + std::to_string(model_type) +
                     " is not supported (only BPE, as Llama 2 and Mistral; use the model's tokenizer.json)");
  if (norm_name != "identity")
    throw ModelError(path + ": sentencepiece normalizer '" + norm_name + "' is not supported (only identity)");
  if (remove_extra_ws || !escape_ws)
    throw ModelError(path + ": sentencepiece models that remove extra white space or keep spaces are not supported");
  auto t = std::make_unique<HfTokenizer>();
  t->is_bpe = true;
  auto& b = t->bpe;
  for (size_t i = 0; i < pieces.size(); ++i) {
    b.vocab.emplace(pieces[i].text, static_cast<int32_t>(i));
    b.id_to_token.push_back(pieces[i].text);
  }
  // Merges: every split of a normal piece into two pieces of the vocabulary, ordered by the
  // merged piece's id (= score order), then the parts' ids (transformers' SentencePieceExtractor).
  struct M {
    int32_t merged, l, r;
  };
  std::vector<M> merges;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].type != 1) continue;
    const std::string& s = pieces[i].text;
    for (size_t k = 1; k < s.size(); ++k) {
      if ((static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) continue;  // split on character boundaries
      auto l = b.vocab.find(s.substr(0, k)), rr = b.vocab.find(s.substr(k));
      if (l != b.vocab.end() && rr != b.vocab.end()) merges.push_back({static_cast<int32_t>(i), l->second, rr->second});
    }
  }
  std::sort(merges.begin(), merges.end(),
            [](const M& x, const M& y) { return std::tie(x.merged, x.l, x.r) < std::tie(y.merged, y.l, y.r); });
  for (const auto& m : merges) b.add_merge(b.id_to_token[m.l], b.id_to_token[m.r]);
  b.byte_fallback = byte_fallback;
  b.fuse_unk = true;
  b.unk_id = static_cast<int32_t>(unk_id);
  if (byte_fallback) {
    b.byte_ids.assign(256, -1);
    char name[8];
    for (int k = 0; k < 256; ++k) {
      std::snprintf(name, sizeof name, "<0x%02X>", k);
      auto it = b.vocab.find(name);
      if (it != b.vocab.end()) b.byte_ids[k] = it->second;
    }
  }
  for (size_t i = 0; i < pieces.size(); ++i) {
    const int ty = pieces[i].type;
    if (ty == 2 || ty == 3 || ty == 4)
      t->added.push_back({pieces[i].text, static_cast<int32_t>(i), ty != 4, false, false, false, false});
  }
  index_added(*t);
  const std::string meta = "\xe2\x96\x81";
  if (add_dummy_prefix) t->norms.push_back({Normalizer::kPrepend, meta, ""});
  t->norms.push_back({Normalizer::kReplace, " ", meta});
  // sentencepiece splits into words before merging; merges stay inside words.
  PreTok words{PreTok::kSpWords};
  words.replacement = meta;
  t->pretoks.push_back(words);
  auto special_name = [&](int64_t id) -> std::string {
    if (id < 0 || id >= static_cast<int64_t>(pieces.size())) return "";
    return pieces[id].text;
  };
  const std::string bos = special_name(bos_id), eos = special_name(eos_id);
  if (add_bos && !bos.empty()) {
    t->single.push_back({true, bos, 0});
    t->special_map[bos] = {static_cast<int32_t>(bos_id)};
  }
  t->single.push_back({false, "A", 0});
  if (add_eos && !eos.empty()) {
    t->single.push_back({true, eos, 0});
    t->special_map[eos] = {static_cast<int32_t>(eos_id)};
  }
  t->pair = t->single;
  for (auto& item : t->pair)
    if (!item.special) item.token = "A";
  {
    std::vector<TemplateItem> second = t->single;
    for (auto& item : second) {
      item.type_id = 1;
      if (!item.special) item.token = "B";
    }
    t->pair.insert(t->pair.end(), second.begin(), second.end());
  }
  t->decoders.push_back({DecStep::kReplace, meta, " "});
  t->decoders.push_back({DecStep::kByteFallback, "", ""});
  t->decoders.push_back({DecStep::kFuse, "", ""});
  if (add_dummy_prefix) {
    DecStep strip{DecStep::kStrip, " ", ""};
    strip.start = 1;
    t->decoders.push_back(strip);
  }
  t->kind_ = "sentencepiece-model";
  return t;
}

}  // namespace because::text
