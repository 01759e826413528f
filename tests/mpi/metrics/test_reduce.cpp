// `because reduce` over MPI: on any number of ranks the metrics equal those of one process
// (integer counts exactly, floating sums to 1e-12), and they equal the metric states applied
// directly to the same records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "metrics/classification.h"
#include "metrics/distribution.h"
#include "metrics/diversity.h"
#include "metrics/nlg.h"
#include "mpi/comm.h"
#include "mpi/reduce_store.h"
#include "store/update.h"
#include "util/error.h"

using namespace because;
namespace fs = std::filesystem;

namespace {

const char* kWords[] = {"the", "a", "man", "woman", "dog", "is", "runs", "sleeps", "outside", "because", "not",
                        "park", "ball", "plays", "with", "happy", "sad", "people", "are", "there"};

std::string sentence(std::mt19937& rng, int len) {
  std::string s;
  for (int i = 0; i < len; ++i) s += std::string(i ? " " : "") + kWords[rng() % 20];
  return s + (rng() % 2 ? "." : "");
}

struct Fixture {
  std::vector<corpus::Instance> instances;
  std::vector<store::Explanation> explanations;
  store::JudgmentSet judgments;
  store::PredictionSet predictions;
};

// 157 instances over two datasets and splits; human explanations for most, 3 model explanations
// (two guided, one free: no label) each, a judgment set and a prediction set over subsets.
Fixture make_fixture() {
  Fixture f;
  std::mt19937 rng(42);
  const int n = 157;
  for (int i = 0; i < n; ++i) {
    corpus::Instance in;
    in.row = i;
    in.uid = "u" + std::to_string(i);
    in.dataset = i % 3 ? "snli" : "mnli";
    in.split = i % 5 ? "dev" : "test";
    in.text_a = sentence(rng, 8);
    in.text_b = sentence(rng, 5);
    in.gold = i % 11 == 0 ? -1 : static_cast<int>(rng() % 3);
    if (i % 4 != 0) in.label_counts = {static_cast<uint16_t>(rng() % 6), static_cast<uint16_t>(rng() % 6), static_cast<uint16_t>(rng() % 6)};
    f.instances.push_back(in);
    if (i % 7 != 0)
      for (int h = 0; h < 1 + i % 2; ++h)
        f.explanations.push_back({i, in.gold, h, "human", sentence(rng, 6 + h), 0, NAN, store::Finish::kStop, ""});
    for (int k = 0; k < 3; ++k) {
      store::Explanation x{i, k < 2 ? k : -1, 0, "llm", sentence(rng, 4 + static_cast<int>(rng() % 8)), 10, -3.5f,
                           store::Finish::kStop, ""};
      if (i == 13 && k == 0) {
        x.finish = store::Finish::kError;
        x.error = "timeout";
        x.text = "";
      }
      f.explanations.push_back(x);
    }
  }
  f.judgments.name = "mjd";
  f.judgments.n_labels = 3;
  f.judgments.n_perms = 1;
  f.predictions.name = "bert";
  f.predictions.n_labels = 3;
  for (int i = 0; i < n; ++i) {
    if (i % 6 != 5) {
      f.judgments.instance.push_back(i);
      float a = static_cast<float>(rng() % 100 + 1), b = static_cast<float>(rng() % 100 + 1), c = static_cast<float>(rng() % 100 + 1);
      const float s = a + b + c;
      for (float v : {a / s, b / s, c / s}) {
        f.judgments.probs.push_back(v);
        f.judgments.scores.push_back(std::log(v));
      }
    }
    f.predictions.instance.push_back(i);
    for (int k = 0; k < 3; ++k) f.predictions.probs.push_back(static_cast<float>(rng() % 1000) / 1000.0f);
  }
  return f;
}

void expect_same(const nlohmann::json& a, const nlohmann::json& b, const std::string& path) {
  ASSERT_EQ(a.type(), b.type()) << path;
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (it.key() == "seconds" || it.key() == "ranks" || it.key() == "peak_rss_bytes" ||
          it.key() == "threads_per_rank")
        continue;
      ASSERT_TRUE(b.contains(it.key())) << path << "/" << it.key();
      expect_same(it.value(), b[it.key()], path + "/" + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i], path + "/" + std::to_string(i));
  } else if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    EXPECT_LE(std::fabs(x - y), 1e-12 * std::max(1.0, std::fabs(x))) << path << ": " << x << " vs " << y;
  } else {
    EXPECT_EQ(a, b) << path;
  }
}

const nlohmann::json* find_row(const nlohmann::json& rows, std::initializer_list<std::pair<const char*, const char*>> want) {
  for (const auto& r : rows) {
    bool ok = true;
    for (const auto& [k, v] : want) ok &= r[k].get<std::string>() == v;
    if (ok) return &r;
  }
  return nullptr;
}

}  // namespace

TEST(Reduce, AnyRankCountEqualsOneProcessAndDirectStates) {
  const auto world = mpi::Comm::world();
  std::string dir = (fs::temp_directory_path() / "because_reduce_test_XXXXXX").string();
  if (world.root()) {
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
  }
  world.bcast(dir);
  const std::string path = dir + "/store.h5";
  const Fixture f = make_fixture();
  if (world.root()) {
    store::StoreInfo info;
    info.label_set = "nli";
    info.labels = {"entailment", "neutral", "contradiction"};
    store::create_store(path, info, f.instances, f.explanations);
    store::write_judgments(path, f.judgments);
    store::write_predictions(path, f.predictions);
  }
  world.barrier();

  config::ReduceConfig cfg;
  cfg.batch_rows = 10;  // many batches
  cfg.threads = 2;      // every rank scores each batch in chunks of one instance, taken in turn by 3 threads
  const auto all = mpi::reduce_store(world, path, cfg);
  world.barrier();
  if (world.root()) {
    const mpi::Comm self(MPI_COMM_SELF);
    cfg.threads = 1;
    const auto one = mpi::reduce_store(self, path, cfg);
    expect_same(one, all, "");
    // Three threads (and the reading one): chunks of one instance, some without explanations.
    cfg.threads = 3;
    expect_same(one, mpi::reduce_store(self, path, cfg), "");
    cfg.threads = -1;
    EXPECT_THROW(mpi::reduce_store(self, path, cfg), ConfigError);
    EXPECT_EQ(all["ranks"].get<int>(), world.size());
    EXPECT_EQ(all["threads_per_rank"].get<int64_t>(), 2);
    EXPECT_GT(all["peak_rss_bytes"].get<int64_t>(), 0);
    EXPECT_EQ(all["n_instances"].get<int64_t>(), 157);
    EXPECT_EQ(all["skipped"]["explanation_errors"].get<int64_t>(), 1);

    // NLG of snli/dev llm guided, computed directly from the records.
    metrics::NlgScorer scorer({}, metrics::WordNet::system());
    metrics::NlgState direct;
    metrics::DiversityState div;
    metrics::ClassificationState cls(3);
    metrics::DistState dist;
    std::vector<double> dcor_x, dcor_y;  // the distributions' items, normalised
    for (const auto& in : f.instances) {
      if (in.dataset != "snli" || in.split != "dev") continue;
      std::vector<std::string> refs, guided;
      for (const auto& x : f.explanations)
        if (x.instance == in.row && x.source == "human") refs.push_back(x.text);
      for (const auto& x : f.explanations)
        if (x.instance == in.row && x.source == "llm" && x.label >= 0 && x.finish != store::Finish::kError)
          guided.push_back(x.text);
      if (!guided.empty()) div.add_group(guided);
      if (!refs.empty())
        for (const auto& g : guided) direct.add(scorer, g, refs);
    }
    for (size_t j = 0; j < f.judgments.instance.size(); ++j) {
      const auto& in = f.instances[f.judgments.instance[j]];
      if (in.dataset != "mnli" || in.split != "dev") continue;
      const float* p = &f.judgments.probs[j * 3];
      const int pred = static_cast<int>(std::max_element(p, p + 3) - p);
      if (in.gold >= 0) cls.add(in.gold, pred);
      if (!in.label_counts.empty() && in.label_counts[0] + in.label_counts[1] + in.label_counts[2] > 0) {
        const std::vector<double> human(in.label_counts.begin(), in.label_counts.end()), model(p, p + 3);
        dist.add(human, model);
        for (auto [v, out] : {std::make_pair(&human, &dcor_x), std::make_pair(&model, &dcor_y)}) {
          out->resize(out->size() + 3);
          metrics::normalise_to(v->data(), 3, out->data() + out->size() - 3);
        }
      }
    }
    const auto* nlg = find_row(all["nlg"], {{"dataset", "snli"}, {"split", "dev"}, {"source", "llm"}, {"mode", "guided"}});
    ASSERT_NE(nlg, nullptr);
    expect_same(direct.to_json(), [&] {
      auto j = *nlg;
      // The group and its description (a store made by create_store records none: null).
      for (const char* k : {"model", "prompt", "explain_mode"}) EXPECT_TRUE(j.at(k).is_null()) << k;
      for (const char* k : {"dataset", "split", "source", "mode", "model", "prompt", "explain_mode"}) j.erase(k);
      return j;
    }(), "nlg");
    const auto* d = find_row(all["diversity"], {{"dataset", "snli"}, {"split", "dev"}, {"source", "llm"}, {"mode", "guided"}});
    ASSERT_NE(d, nullptr);
    EXPECT_EQ((*d)["distinct2"].get<double>(), div.value().distinct2);
    EXPECT_NEAR((*d)["self_bleu"].get<double>(), div.value().self_bleu, 1e-9);
    const auto* c = find_row(all["classification"], {{"dataset", "mnli"}, {"split", "dev"}, {"kind", "judgments"}, {"name", "mjd"}});
    ASSERT_NE(c, nullptr);
    EXPECT_EQ((*c)["vs_gold"]["n"].get<int64_t>(), cls.value().n);
    EXPECT_EQ((*c)["vs_gold"]["macro_f1"].get<double>(), cls.value().macro_f1);
    const auto* dd = find_row(all["distributions"], {{"dataset", "mnli"}, {"split", "dev"}, {"kind", "judgments"}, {"name", "mjd"}});
    ASSERT_NE(dd, nullptr);
    EXPECT_EQ((*dd)["n"].get<int64_t>(), dist.value().n);
    EXPECT_NEAR((*dd)["kl"].get<double>(), dist.value().kl, 1e-12);
    EXPECT_NEAR((*dd)["dcor"].get<double>(), metrics::DistanceCorrelation(dcor_x, 3, dcor_y, 3).compute(),
                1e-12);
    // The cap on distance correlation: a group of more items gets null (a cap of 0: every group,
    // and the items are not kept); a group within it, the value without a cap. Nothing else moves.
    // Compared with `one` (one rank, one thread), whose sums run in the same order.
    const int64_t n_dist = (*dd)["n"].get<int64_t>();
    const std::initializer_list<std::pair<const char*, const char*>> key = {
        {"dataset", "mnli"}, {"split", "dev"}, {"kind", "judgments"}, {"name", "mjd"}};
    const auto* one_dd = find_row(one["distributions"], key);
    ASSERT_NE(one_dd, nullptr);
    for (const int64_t cap : {int64_t{0}, n_dist - 1, n_dist}) {
      auto capped = cfg;
      capped.threads = 1;
      capped.dcor_max_items = cap;
      const auto m = mpi::reduce_store(self, path, capped);
      const auto* row = find_row(m["distributions"], key);
      ASSERT_NE(row, nullptr);
      if (cap < n_dist)
        EXPECT_TRUE((*row)["dcor"].is_null()) << "cap " << cap;
      else
        EXPECT_EQ((*row)["dcor"], (*one_dd)["dcor"]) << "cap " << cap;
      EXPECT_EQ((*row)["kl"], (*one_dd)["kl"]);
      EXPECT_EQ(m["nlg"], one["nlg"]);
      EXPECT_EQ(m["classification"], one["classification"]);
    }
    EXPECT_FALSE(mpi::format_reduce(all).empty());
    fs::remove_all(dir);
  }
  world.barrier();
}
