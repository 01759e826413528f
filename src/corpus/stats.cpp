// Corpus statistics (see stats.h).
#include "corpus/stats.h"

#include <sstream>

namespace because::corpus {

void LengthHistogram::add(size_t n) {
  ++bins[n < static_cast<size_t>(kMaxExact) ? n : kMaxExact];
  if (static_cast<int64_t>(n) > max) max = static_cast<int64_t>(n);
}

int64_t LengthHistogram::count() const {
  int64_t c = 0;
  for (auto b : bins) c += b;
  return c;
}

int64_t LengthHistogram::percentile(double q) const {
  const int64_t n = count();
  if (n == 0) return 0;
  const double need = q * static_cast<double>(n);
  int64_t acc = 0;
  for (size_t i = 0; i < bins.size(); ++i) {
    acc += bins[i];
    if (static_cast<double>(acc) >= need && acc > 0) return i == bins.size() - 1 ? max : static_cast<int64_t>(i);
  }
  return max;
}

void CorpusStats::add(const ChunkRead& c) {
  rows += static_cast<int64_t>(c.rows.size() + c.bad.size());
  good += static_cast<int64_t>(c.rows.size());
  for (const auto& b : c.bad) ++bad_per_reason[b.reason];
  for (const auto& r : c.rows) {
    const size_t l = r.gold >= 0 && r.gold + 1 < static_cast<int>(per_label.size()) ? r.gold : per_label.size() - 1;
    ++per_label[l];
    ++per_split[r.split];
    if (!r.human_explanations.empty()) ++with_explanations;
    len_a.add(r.text_a.size());
    if (!r.text_b.empty()) len_b.add(r.text_b.size());
  }
}

namespace {
nlohmann::json lengths(const LengthHistogram& h) {
  return {{"count", h.count()}, {"p50", h.percentile(0.5)}, {"p90", h.percentile(0.9)}, {"p99", h.percentile(0.99)},
          {"max", h.max}};
}
}  // namespace

nlohmann::json CorpusStats::to_json(const LabelSet& labels, const std::string& dataset, const std::string& path) const {
  nlohmann::json j;
  j["dataset"] = dataset;
  j["path"] = path;
  j["rows"] = rows;
  j["good_rows"] = good;
  j["bad_rows"] = rows - good;
  nlohmann::json pl = nlohmann::json::object();
  for (int i = 0; i < labels.size(); ++i) pl[labels.labels[i]] = per_label[i];
  pl["(no gold)"] = per_label.back();
  j["per_label"] = pl;
  j["per_split"] = per_split;
  j["bad_per_reason"] = bad_per_reason;
  j["with_explanations"] = with_explanations;
  j["text_a_bytes"] = lengths(len_a);
  j["text_b_bytes"] = lengths(len_b);
  return j;
}

std::string CorpusStats::to_text(const LabelSet& labels, const std::string& dataset, const std::string& path) const {
  std::ostringstream o;
  o << "corpus " << path << " (" << dataset << ")\n";
  o << "  rows " << rows << "  good " << good << "  bad " << rows - good << "  with explanations " << with_explanations << "\n";
  o << "  per label:";
  for (int i = 0; i < labels.size(); ++i) o << " " << labels.labels[i] << "=" << per_label[i];
  o << " (no gold)=" << per_label.back() << "\n";
  o << "  per split:";
  for (const auto& [k, v] : per_split) o << " " << k << "=" << v;
  o << "\n  bad per reason:";
  if (bad_per_reason.empty()) o << " none";
  for (const auto& [k, v] : bad_per_reason) o << " " << k << "=" << v;
  for (const auto* h : {&len_a, &len_b}) {
    o << "\n  " << (h == &len_a ? "text_a" : "text_b") << " bytes: p50 " << h->percentile(0.5) << "  p90 "
      << h->percentile(0.9) << "  p99 " << h->percentile(0.99) << "  max " << h->max;
  }
  o << "\n";
  return o.str();
}

}  // namespace because::corpus
