// Metrics on the studies' released data (skipped without BECAUSE_SHARED): the second study's
// 341 items against an independent numpy script, and NLG scores of the first study's LLM
// explanations against the human explanations in all 16 CSV files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "metrics/distribution.h"
#include "metrics/nlg.h"
#include "metrics/wordnet.h"
#include "util/files.h"

using namespace because::metrics;
namespace fs = std::filesystem;

namespace {

std::string shared_dir() {
  const char* s = std::getenv("BECAUSE_SHARED");
  return s && fs::exists(s) ? s : "";
}

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines.
std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

TEST(MetricsReal, MjdDistributionsAgreeWithNumpy) {
  const std::string shared = shared_dir();
  if (shared.empty()) GTEST_SKIP() << "BECAUSE_SHARED not set";
  const std::string path = shared + "/data/mjd/NLI_explanations.json";
  if (!fs::exists(path)) GTEST_SKIP() << path << " absent";
  if (run_capture("/usr/bin/python3 -c 'import numpy; print(1)' 2>/dev/null").find('1') == std::string::npos)
    GTEST_SKIP() << "Debian python3-numpy not installed";
  const std::string script = std::string(std::getenv("BECAUSE_SOURCE_DIR")) + "/tests/fixtures/metrics/mjd_reference.py";
  const auto ref = nlohmann::json::parse(run_capture("/usr/bin/python3 " + script + " " + path));
  ASSERT_EQ(ref["n"].get<int>(), 341);

  std::vector<std::vector<double>> human, mnli, varierr;
  std::istringstream in(because::files::read_text(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line);
    human.push_back(j["chaos probs"].get<std::vector<double>>());
    mnli.push_back(j["mnli labels"][1].get<std::vector<double>>());
    varierr.push_back(j["varierr labels"].get<std::vector<double>>());
  }
  ASSERT_EQ(human.size(), 341u);
  for (const auto& [name, model] : {std::pair{"mnli", &mnli}, std::pair{"varierr", &varierr}}) {
    DistState st;
    std::vector<double> x, y;
    for (size_t i = 0; i < human.size(); ++i) {
      st.add(human[i], (*model)[i]);
      for (double v : normalise(human[i])) x.push_back(v);
      for (double v : normalise((*model)[i])) y.push_back(v);
    }
    const auto r = st.value();
    const auto& e = ref[name];
    EXPECT_NEAR(r.kl, e["kl"].get<double>(), 1e-6) << name;
    EXPECT_NEAR(r.js, e["js"].get<double>(), 1e-6) << name;
    EXPECT_NEAR(r.tvd, e["tvd"].get<double>(), 1e-6) << name;
    EXPECT_NEAR(DistanceCorrelation(x, 3, y, 3).compute(), e["dcor"].get<double>(), 1e-6) << name;
  }
}

TEST(MetricsReal, HelpfulNleExplanationsScore) {
  const std::string shared = shared_dir();
  if (shared.empty()) GTEST_SKIP() << "BECAUSE_SHARED not set";
  const fs::path dir = fs::path(shared) / "data" / "helpful-nle";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " absent";
  std::vector<fs::path> csvs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".csv") csvs.push_back(e.path());
  std::sort(csvs.begin(), csvs.end());
  ASSERT_EQ(csvs.size(), 16u);
  NlgScorer scorer({}, WordNet::system());
  bool saw_newline = false;
  for (const auto& p : csvs) {
    const auto rows = read_csv(because::files::read_text(p.string()));
    ASSERT_GT(rows.size(), 1u) << p;
    const auto& header = rows[0];
    const auto col = [&](const std::string& name) {
      const auto it = std::find(header.begin(), header.end(), name);
      return it == header.end() ? -1 : static_cast<int>(it - header.begin());
    };
    const int hyp = col("explanation"), ref = col("human_explanation");
    ASSERT_GE(hyp, 0) << p;
    ASSERT_GE(ref, 0) << p;
    NlgState st;
    int64_t n = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), header.size()) << p << " record " << i;
      saw_newline |= rows[i][hyp].find('\n') != std::string::npos || rows[i][ref].find('\n') != std::string::npos;
      st.add(scorer, rows[i][hyp], {rows[i][ref]});
      ++n;
    }
    const auto j = st.to_json();
    EXPECT_EQ(j["n"].get<int64_t>(), n);
    EXPECT_TRUE(n == 840 || n == 750) << p << ": " << n;
    for (const char* k : {"bleu", "chrf"}) {
      EXPECT_GT(j[k].get<double>(), 0.0) << p << " " << k;
      EXPECT_LT(j[k].get<double>(), 100.0) << p << " " << k;
    }
    for (const char* k : {"rouge1", "rouge2", "rougeL", "meteor"}) {
      EXPECT_GT(j[k].get<double>(), 0.0) << p << " " << k;
      EXPECT_LT(j[k].get<double>(), 1.0) << p << " " << k;
    }
    std::printf("%s: n=%lld BLEU %.2f chrF %.2f R1 %.4f R2 %.4f RL %.4f METEOR %.4f\n", p.filename().c_str(),
                static_cast<long long>(n), j["bleu"].get<double>(), j["chrf"].get<double>(), j["rouge1"].get<double>(),
                j["rouge2"].get<double>(), j["rougeL"].get<double>(), j["meteor"].get<double>());
  }
  EXPECT_TRUE(saw_newline) << "expected some fields with newlines";
}
