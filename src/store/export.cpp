// JSONL / CSV export of a store.
#include "store/export.h"

#include <nlohmann/json.hpp>

#include "store/reader.h"
#include "util/error.h"

namespace because::store {

Format parse_format(const std::string& s) {
  auto ends = [&](const std::string& x) { return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0; };
  if (s == "jsonl" || s == "json" || ends(".jsonl") || ends(".json")) return Format::kJsonl;
  if (s == "csv" || ends(".csv")) return Format::kCsv;
  throw ConfigError("unknown format '" + s + "' (jsonl, csv)");
}

namespace {
using json = nlohmann::json;

json label_json(const StoreInfo& info, int label) {
  if (label < 0 || label >= static_cast<int>(info.labels.size())) return nullptr;
  return info.labels[static_cast<size_t>(label)];
}

json instance_json(const StoreInfo& info, const corpus::Instance& in, int64_t row) {
  json j;
  j["row"] = row;
  j["uid"] = in.uid;
  j["dataset"] = in.dataset;
  j["split"] = in.split;
  j["text_a"] = in.text_a;
  j["text_b"] = in.text_b;
  j["gold"] = label_json(info, in.gold);
  j["label_counts"] = in.label_counts;
  return j;
}

std::string csv_field(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void emit(std::ostream& out, Format fmt, const json& j, bool& header) {
  if (fmt == Format::kJsonl) {
    out << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    return;
  }
  if (!header) {
    bool first = true;
    for (auto& [k, v] : j.items()) out << (first ? "" : ",") << k, first = false;
    out << "\n";
    header = true;
  }
  bool first = true;
  for (auto& [k, v] : j.items()) out << (first ? "" : ",") << csv_field(v), first = false;
  out << "\n";
}
}  // namespace

int64_t export_store(const std::string& path, std::ostream& out, Format format, const std::string& table) {
  StoreReader r(path);
  const StoreInfo& info = r.info();
  bool header = false;
  int64_t n = 0;
  constexpr int64_t kRows = 65536;
  if (table == kInstances) {
    for (int64_t b = 0; b < r.n_instances(); b += kRows) {
      const auto rows = r.read_instances(b, std::min(r.n_instances(), b + kRows));
      for (size_t i = 0; i < rows.size(); ++i, ++n) emit(out, format, instance_json(info, rows[i], b + static_cast<int64_t>(i)), header);
    }
    return n;
  }
  if (table != kExplanations) throw ConfigError("export: unknown table '" + table + "' (explanations, instances)");
  r.for_each_batch(kRows, [&](const Batch& batch) {
    for (const auto& e : batch.explanations) {
      json j = instance_json(info, batch.instances[static_cast<size_t>(e.instance - batch.begin)], e.instance);
      j["label"] = label_json(info, e.label);
      j["sample"] = e.sample;
      j["source"] = e.source;
      j["explanation"] = e.text;
      j["n_tokens"] = e.n_tokens;
      j["logprob"] = std::isnan(e.logprob) ? json(nullptr) : json(e.logprob);
      j["finish"] = finish_name(e.finish);
      j["error"] = e.error;
      emit(out, format, j, header);
      ++n;
    }
  });
  return n;
}

}  // namespace because::store
