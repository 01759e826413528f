// Building explanation requests and post-processing generated text.
#include "generate/requests.h"

#include <cctype>
#include <sstream>

#include "util/error.h"
#include "util/hash.h"

namespace because::generate {
namespace {

bool blank(const std::string& s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

// Placeholders that name instance text fields; an empty one makes the item unaskable.
const char* kTextFields[] = {"text_a", "text_b", "premise", "hypothesis", "context", "statement", "text"};

}  // namespace

Mode parse_mode(const std::string& s) {
  if (s == "label-free") return Mode::kLabelFree;
  if (s == "label-guided") return Mode::kLabelGuided;
  if (s == "free") return Mode::kFree;
  throw ConfigError("--explain.mode: expected label-free, label-guided or free, got '" + s + "'");
}

Guide parse_guide(const std::string& s) {
  if (s == "gold") return Guide::kGold;
  if (s == "votes") return Guide::kVotes;
  throw ConfigError("--explain.guide: expected gold or votes, got '" + s + "'");
}

Split parse_split(const std::string& s) {
  if (s == "none") return Split::kNone;
  if (s == "first") return Split::kFirst;
  if (s == "longest") return Split::kLongest;
  if (s == "all") return Split::kAll;
  throw ConfigError("--explain.split: expected none, first, longest or all, got '" + s + "'");
}

Vars instance_vars(const corpus::Instance& inst) {
  Vars v;
  v["text_a"] = v["premise"] = v["context"] = v["text"] = inst.text_a;
  v["text_b"] = v["hypothesis"] = v["statement"] = inst.text_b;
  v["uid"] = inst.uid;
  v["dataset"] = inst.dataset;
  v["split"] = inst.split;
  return v;
}

std::vector<Request> build_requests(const std::vector<corpus::Instance>& items, const PromptTemplate& tmpl,
                                    const corpus::LabelSet& labels, const RequestOptions& opt) {
  std::vector<Request> out;
  const auto used = placeholders(tmpl.body() + "\n" + tmpl.system());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& inst = items[i];
    const Vars base = instance_vars(inst);
    std::string problem;
    for (const auto& p : used)
      for (const char* f : kTextFields)
        if (p == f && blank(base.at(p)) && problem.empty()) problem = std::string("empty_input: ") + p + " is empty";

    // (label, sample) pairs this item asks for.
    std::vector<std::pair<int, int>> asks;
    switch (opt.mode) {
      case Mode::kFree:
        for (int s = 0; s < opt.samples; ++s) asks.emplace_back(-1, s);
        break;
      case Mode::kLabelFree:
        for (int l = 0; l < labels.size(); ++l)
          for (int s = 0; s < opt.samples; ++s) asks.emplace_back(l, s);
        break;
      case Mode::kLabelGuided:
        if (opt.guide == Guide::kGold) {
          if (inst.gold < 0 || inst.gold >= labels.size()) {
            if (problem.empty()) problem = "no_gold_label";
            asks.emplace_back(-1, 0);
          } else {
            for (int s = 0; s < opt.samples; ++s) asks.emplace_back(inst.gold, s);
          }
        } else {
          int votes = 0;
          for (int l = 0; l < static_cast<int>(inst.label_counts.size()) && l < labels.size(); ++l)
            for (int v = 0; v < inst.label_counts[l]; ++v, ++votes)
              for (int s = 0; s < opt.samples; ++s) asks.emplace_back(l, v * opt.samples + s);
          if (votes == 0) {
            if (problem.empty()) problem = "no_annotator_labels";
            asks.emplace_back(-1, 0);
          }
        }
        break;
    }
    if (!problem.empty()) {
      // One error record per item (not per sample) so that counts stay honest.
      Request r;
      r.item = i;
      r.label = asks.front().first;
      r.sample = 0;
      r.error = problem;
      r.gen.instance = &inst;
      r.gen.label = r.label;
      out.push_back(std::move(r));
      continue;
    }
    // The rendered prompt depends on (item, label) only; samples differ by seed.
    int last_label = -2;
    std::string prompt, system;
    for (const auto& [label, sample] : asks) {
      if (label != last_label) {
        Vars v = base;
        if (label >= 0) {
          v["label"] = labels.labels[label];
          v["label_word"] = tmpl.label_word(labels.labels[label]);
        }
        prompt = tmpl.render(v);
        system = tmpl.render_system(v);
        last_label = label;
      }
      Request r;
      r.item = i;
      r.label = label;
      r.sample = sample;
      r.gen.prompt = prompt;
      r.gen.system = system;
      r.gen.chat = opt.chat;
      r.gen.seed = hash::seed_of(opt.run_seed, inst.uid, label, sample);
      r.gen.instance = &inst;
      r.gen.label = label;
      r.gen.sample = sample;
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::string clean_whitespace(const std::string& text) {
  std::istringstream is(text);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(is, line)) {
    std::string o;
    bool space = false;
    for (char c : line) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        space = true;
      } else {
        if (space && !o.empty()) o += ' ';
        space = false;
        o += c;
      }
    }
    lines.push_back(o);
  }
  size_t a = 0, b = lines.size();
  while (a < b && lines[a].empty()) ++a;
  while (b > a && lines[b - 1].empty()) --b;
  std::string out;
  for (size_t i = a; i < b; ++i) out += (i > a ? "\n" : "") + lines[i];
  return out;
}

namespace {
// Length of a list marker at the start of `s` (0 when none): "- ", "* ", "• ", "12. ", "3) ", "(4) ".
size_t marker_length(const std::string& s) {
  if (s.size() >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') return 2;
  if (s.rfind("\xE2\x80\xA2", 0) == 0) return s.size() > 3 && s[3] == ' ' ? 4 : 3;  // U+2022 bullet
  size_t i = 0;
  const bool paren = !s.empty() && s[0] == '(';
  if (paren) ++i;
  const size_t digits_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == digits_start || i - digits_start > 3 || i >= s.size()) return 0;
  if (paren ? s[i] != ')' : (s[i] != '.' && s[i] != ')')) return 0;
  ++i;
  if (i < s.size() && s[i] != ' ') return 0;
  return i < s.size() ? i + 1 : i;
}
}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  const std::string clean = clean_whitespace(text);
  std::istringstream is(clean);
  std::string line;
  std::vector<std::string> entries;
  bool any_marker = false;
  std::string current;
  bool in_entry = false;
  std::vector<std::string> plain;
  while (std::getline(is, line)) {
    if (line.empty()) continue;
    plain.push_back(line);
    const size_t m = marker_length(line);
    if (m > 0) {
      if (in_entry && !current.empty()) entries.push_back(current);
      current = line.substr(m);
      in_entry = true;
      any_marker = true;
    } else if (in_entry) {
      current += " " + line;  // continuation of the entry
    }
  }
  if (in_entry && !current.empty()) entries.push_back(current);
  if (!any_marker) return plain;
  std::vector<std::string> out;
  for (auto& e : entries) {
    e = clean_whitespace(e);
    if (!e.empty()) out.push_back(e);
  }
  return out;
}

std::vector<std::string> postprocess(const std::string& raw, Split split) {
  const std::string clean = clean_whitespace(raw);
  if (clean.empty()) return {};
  if (split == Split::kNone) {
    // One explanation; lines joined with a space.
    std::string one;
    for (char c : clean) one += (c == '\n') ? ' ' : c;
    return {one};
  }
  auto entries = split_list(clean);
  if (entries.empty()) return {};
  if (split == Split::kFirst) return {entries.front()};
  if (split == Split::kLongest) {
    size_t best = 0;
    for (size_t i = 1; i < entries.size(); ++i)
      if (entries[i].size() > entries[best].size()) best = i;
    return {entries[best]};
  }
  return entries;
}

const char* finish_name(Finish f) {
  switch (f) {
    case Finish::kStop: return "stop";
    case Finish::kLength: return "length";
    case Finish::kError: return "error";
  }
  return "?";
}

nlohmann::json SamplingParams::to_json() const {
  return {{"max_new_tokens", max_new_tokens}, {"temperature", temperature}, {"top_p", top_p}, {"top_k", top_k}};
}

}  // namespace because::generate
