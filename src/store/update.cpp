// Serial writes into an existing store: predictions, judgments, metrics, provenance.
#include "store/update.h"

#include <algorithm>
#include <numeric>

#include "store/h5.h"
#include "util/error.h"

namespace because::store {

void create_store(const std::string& path, const StoreInfo& info, const std::vector<corpus::Instance>& instances,
                  const std::vector<Explanation>& explanations, const WriteOptions& w) {
  w.validate();
  Table inst = instances_table(static_cast<int>(info.labels.size()));
  append_instances(inst, instances);
  std::vector<Explanation> ex = explanations;
  for (const auto& e : ex)
    if (e.instance < 0 || e.instance >= static_cast<int64_t>(instances.size()))
      throw StoreError("explanation refers to instance " + std::to_string(e.instance) + " of " +
                       std::to_string(instances.size()));
  std::stable_sort(ex.begin(), ex.end(), [](const auto& a, const auto& b) { return a.instance < b.instance; });
  Table expl = explanations_table();
  append_explanations(expl, ex);
  const std::string tmp = path + ".tmp";
  {
    h5::Handle f = h5::create_file(tmp);
    StoreInfo i = info;
    if (i.created.empty()) i.created = iso_now();
    h5::write_info(f.get(), i);
    h5::replace_table(f.get(), inst, w);
    h5::replace_table(f.get(), expl, w);
    f.close();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("cannot rename " + tmp + " to " + path);
}

namespace {
void check_rows(hid_t f, const std::string& path, const std::vector<int64_t>& rows, const std::string& what) {
  const int64_t n = h5::exists(f, kInstances) ? h5::table_rows(f, kInstances) : 0;
  for (int64_t r : rows)
    if (r < 0 || r >= n)
      throw StoreError(path + ": " + what + " refers to instance " + std::to_string(r) + " of " + std::to_string(n));
}
}  // namespace

void write_predictions(const std::string& path, const PredictionSet& p, const WriteOptions& w) {
  h5::Handle f = h5::open_file(path, true);
  check_rows(f.get(), path, p.instance, "predictions '" + p.name + "'");
  h5::replace_table(f.get(), predictions_table(p), w);
  f.close();
}

void write_judgments(const std::string& path, const JudgmentSet& j, const WriteOptions& w) {
  h5::Handle f = h5::open_file(path, true);
  check_rows(f.get(), path, j.instance, "judgments '" + j.name + "'");
  Table t = judgments_table(j.name, j.n_labels, j.n_perms, j.method);
  const size_t n = j.instance.size(), L = static_cast<size_t>(j.n_labels), P = static_cast<size_t>(j.n_perms);
  if (j.probs.size() != n * L || j.scores.size() != n * P * L)
    throw StoreError("judgments '" + j.name + "': array sizes do not match " + std::to_string(n) + " rows");
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return j.instance[a] < j.instance[b]; });
  for (size_t i : order) {
    t.col("instance").push<int64_t>(j.instance[i]);
    t.col("probs").push<float>(j.probs.data() + i * L);
    t.col("scores").push<float>(j.scores.data() + i * P * L);
  }
  h5::replace_table(f.get(), t, w);
  f.close();
}

void write_metrics(const std::string& path, const std::string& name, const std::string& json, const WriteOptions& w) {
  h5::Handle f = h5::open_file(path, true);
  Table t;
  t.name = kMetrics;
  t.columns = {Column("name", DType::kString), Column("json", DType::kString)};
  if (h5::exists(f.get(), kMetrics)) {
    Table old = h5::read_rows(f.get(), kMetrics, 0, -1);
    for (int64_t i = 0; i < old.rows(); ++i)
      if (old.col("name").str(i) != name) {
        t.col("name").push_string(old.col("name").str(i));
        t.col("json").push_string(old.col("json").str(i));
      }
  }
  t.col("name").push_string(name);
  t.col("json").push_string(json);
  h5::replace_table(f.get(), t, w);
  f.close();
}

void append_provenance(const std::string& path, const ProvenanceRow& row, const WriteOptions& w) {
  h5::Handle f = h5::open_file(path, true);
  Table t = provenance_table();
  append_provenance_row(t, row);
  h5::append_table(f.get(), t, w);
  f.close();
}

}  // namespace because::store
