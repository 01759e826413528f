// StoreReader: random access to rows and columns of a store.
#include "store/reader.h"

#include <algorithm>

#include "store/h5.h"
#include "util/error.h"

namespace because::store {

struct StoreReader::Impl {
  std::string path;
  h5::Handle file;
  StoreInfo info;
  mutable std::vector<int64_t> expl_instance;  // cached /explanations/instance
  mutable bool expl_loaded = false;
};

StoreReader::StoreReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = h5::open_file(path, false);
  impl_->info = h5::read_info(impl_->file.get());
  if (impl_->info.schema != kSchema)
    throw StoreError(path + ": schema '" + impl_->info.schema + "' is not " + kSchema + " (not a because store?)");
}
StoreReader::~StoreReader() = default;
StoreReader::StoreReader(StoreReader&&) noexcept = default;

const std::string& StoreReader::path() const { return impl_->path; }
const StoreInfo& StoreReader::info() const { return impl_->info; }

std::vector<std::string> StoreReader::tables() const { return h5::list_tables(impl_->file.get()); }
bool StoreReader::has_table(const std::string& name) const {
  const auto t = tables();
  return std::find(t.begin(), t.end(), name) != t.end();
}
int64_t StoreReader::table_rows(const std::string& name) const {
  if (!has_table(name)) throw StoreError(impl_->path + ": no table /" + name);
  return h5::table_rows(impl_->file.get(), name);
}
int64_t StoreReader::n_instances() const { return has_table(kInstances) ? table_rows(kInstances) : 0; }
int64_t StoreReader::n_explanations() const { return has_table(kExplanations) ? table_rows(kExplanations) : 0; }

static std::vector<std::string> sets_in(const std::vector<std::string>& tables, const std::string& group) {
  std::vector<std::string> out;
  for (const auto& t : tables)
    if (t.rfind(group + "/", 0) == 0) out.push_back(t.substr(group.size() + 1));
  return out;
}
std::vector<std::string> StoreReader::judgment_names() const { return sets_in(tables(), kJudgments); }
std::vector<std::string> StoreReader::prediction_names() const { return sets_in(tables(), kPredictions); }

Table StoreReader::read(const std::string& table, int64_t begin, int64_t end, const std::vector<std::string>& columns) const {
  if (!has_table(table)) throw StoreError(impl_->path + ": no table /" + table);
  return h5::read_rows(impl_->file.get(), table, begin, end, columns);
}

Column StoreReader::column(const std::string& table, const std::string& name, int64_t begin, int64_t end) const {
  Table t = read(table, begin, end, {name});
  if (t.columns.empty()) throw StoreError(impl_->path + ": /" + table + " has no column '" + name + "'");
  return std::move(t.columns.front());
}

std::vector<corpus::Instance> StoreReader::read_instances(int64_t begin, int64_t end) const {
  return to_instances(read(kInstances, begin, end));
}
std::vector<Explanation> StoreReader::read_explanations(int64_t begin, int64_t end) const {
  return to_explanations(read(kExplanations, begin, end));
}

std::pair<int64_t, int64_t> StoreReader::explanation_range(int64_t inst_begin, int64_t inst_end) const {
  if (!impl_->expl_loaded) {
    if (has_table(kExplanations)) {
      Column c = column(kExplanations, "instance");
      const int64_t* v = c.values<int64_t>();
      impl_->expl_instance.assign(v, v + c.rows());
    }
    impl_->expl_loaded = true;
  }
  const auto& v = impl_->expl_instance;
  const int64_t a = std::lower_bound(v.begin(), v.end(), inst_begin) - v.begin();
  const int64_t b = std::lower_bound(v.begin(), v.end(), inst_end) - v.begin();
  return {a, std::max(a, b)};
}

Batch StoreReader::read_batch(int64_t begin, int64_t end) const {
  Batch b;
  b.begin = begin;
  b.end = end;
  b.instances = read_instances(begin, end);
  auto [eb, ee] = explanation_range(begin, end);
  b.explanation_begin = eb;
  if (ee > eb) b.explanations = read_explanations(eb, ee);
  return b;
}

void StoreReader::for_each_batch(int64_t rows, const std::function<void(const Batch&)>& fn) const {
  if (rows < 1) throw StoreError("batch rows must be >= 1");
  const int64_t n = n_instances();
  for (int64_t b = 0; b < n; b += rows) fn(read_batch(b, std::min(n, b + rows)));
}

JudgmentSet StoreReader::read_judgments(const std::string& name) const {
  return to_judgment_set(read(std::string(kJudgments) + "/" + name));
}
PredictionSet StoreReader::read_predictions(const std::string& name) const {
  return to_prediction_set(read(std::string(kPredictions) + "/" + name));
}

std::string StoreReader::explanation_sources() const {
  const h5::Handle root = h5::open_group(impl_->file.get(), "/");
  return h5::get_attr(root.get(), kSourcesAttr, "{}");
}

std::string StoreReader::read_metrics(const std::string& name) const {
  if (!has_table(kMetrics)) return "";
  Table t = read(kMetrics);
  for (int64_t i = 0; i < t.rows(); ++i)
    if (t.col("name").str(i) == name) return std::string(t.col("json").str(i));
  return "";
}
std::vector<std::string> StoreReader::metrics_names() const {
  std::vector<std::string> out;
  if (!has_table(kMetrics)) return out;
  Table t = read(kMetrics, 0, -1, {"name"});
  for (int64_t i = 0; i < t.rows(); ++i) out.emplace_back(t.col("name").str(i));
  return out;
}
std::vector<ProvenanceRow> StoreReader::read_provenance() const {
  if (!has_table(kProvenance)) return {};
  return to_provenance(read(kProvenance));
}

}  // namespace because::store
