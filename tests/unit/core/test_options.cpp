// Config parsing: job files, command-line precedence, errors naming option/file/line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "util/error.h"

using namespace because;
using namespace because::config;

namespace {
std::string write_job(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "because_test_options";
  std::filesystem::create_directories(dir);
  const auto p = (dir / name).string();
  std::ofstream(p) << text;
  return p;
}

ParseResult parse(Config& cfg, Options& o, std::vector<std::string> args) {
  add_all_options(o, cfg);
  return parse_command_line(args, o, 0);
}

std::string error_of(std::vector<std::string> args) {
  Config cfg;
  Options o;
  try {
    parse(cfg, o, std::move(args));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Options, DefaultsWithoutArguments) {
  Config cfg;
  Options o;
  parse(cfg, o, {});
  EXPECT_EQ(cfg.explain.max_new_tokens, 48);
  EXPECT_EQ(cfg.corpus.chunk_rows, 256);
  EXPECT_FALSE(cfg.general.strict);
}

TEST(Options, JobFileSectionsAndCommandLineOverride) {
  const auto job = write_job("a.ini",
                             "# demo\nseed = 7\n[explain]\nmax_new_tokens = 30  # short\nmode = label-free\n"
                             "[corpus]\npath = data/x.jsonl\n");
  Config cfg;
  Options o;
  auto r = parse(cfg, o, {"--job", job, "--explain.max_new_tokens=40", "--strict"});
  EXPECT_EQ(r.job_file, job);
  EXPECT_EQ(cfg.general.seed, 7u);
  EXPECT_EQ(cfg.explain.max_new_tokens, 40);  // command line wins
  EXPECT_EQ(cfg.explain.mode, "label-free");
  EXPECT_EQ(cfg.corpus.path, "data/x.jsonl");
  EXPECT_TRUE(cfg.general.strict);
}

TEST(Options, SpaceSeparatedValueAndBareFlag) {
  Config cfg;
  Options o;
  parse(cfg, o, {"--explain.temperature", "0.7", "--strict", "--seed", "99"});
  EXPECT_DOUBLE_EQ(cfg.explain.temperature, 0.7);
  EXPECT_TRUE(cfg.general.strict);
  EXPECT_EQ(cfg.general.seed, 99u);
}

TEST(Options, FlagsTakeExplicitFalse) {
  Config cfg;
  Options o;
  parse(cfg, o, {"--strict=false"});
  EXPECT_FALSE(cfg.general.strict);
}

TEST(Options, UnknownCommandLineOptionNamed) {
  EXPECT_NE(error_of({"--explain.max_new_tokenz=3"}).find("'--explain.max_new_tokenz'"), std::string::npos);
}

TEST(Options, WrongTypeNamesOptionAndValue) {
  const auto msg = error_of({"--explain.max_new_tokens=many"});
  EXPECT_NE(msg.find("explain.max_new_tokens"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'many'"), std::string::npos) << msg;
}

TEST(Options, UnknownJobKeyNamesFileAndLine) {
  const auto job = write_job("b.ini", "[explain]\nmax_new_tokens = 3\n\nbogus = 1\n");
  const auto msg = error_of({"--job", job});
  EXPECT_NE(msg.find(job + ":4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("explain.bogus"), std::string::npos) << msg;
}

TEST(Options, WrongTypeInJobFileNamesLine) {
  const auto job = write_job("c.ini", "[train]\n\nepochs = three\n");
  const auto msg = error_of({"--job", job});
  EXPECT_NE(msg.find(job + ":3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("train.epochs"), std::string::npos) << msg;
}

TEST(Options, MalformedLinesAndDuplicates) {
  EXPECT_NE(error_of({"--job", write_job("d.ini", "[explain\n")}).find("d.ini:1: malformed section"), std::string::npos);
  EXPECT_NE(error_of({"--job", write_job("e.ini", "[a]\nno equals here\n")}).find("e.ini:2"), std::string::npos);
  EXPECT_NE(error_of({"--job", write_job("f.ini", "seed = 1\nseed = 2\n")}).find("already set at line 1"),
            std::string::npos);
}

TEST(Options, UnreadableJobFile) {
  const auto msg = error_of({"--job", "/nonexistent/job.ini"});
  EXPECT_NE(msg.find("/nonexistent/job.ini"), std::string::npos) << msg;
}

TEST(Options, MissingValueAndPositional) {
  EXPECT_NE(error_of({"--seed"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"stray"}).find("unexpected argument 'stray'"), std::string::npos);
}

TEST(Options, RequiredOption) {
  Config cfg;
  Options o;
  std::string model;
  o.add_required("lm.model", &model, "model directory");
  add_all_options(o, cfg);
  try {
    parse_command_line({}, o, 0);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("missing required option '--lm.model'"), std::string::npos);
  }
  parse_command_line({"--lm.model=x"}, o, 0);
  EXPECT_EQ(model, "x");
}

TEST(Options, ListOption) {
  Options o;
  List l{{"a"}};
  o.add("x.items", &l, "a list");
  parse_command_line({"--x.items=explain, merge,train"}, o, 0);
  EXPECT_EQ(l.items, (std::vector<std::string>{"explain", "merge", "train"}));
}

TEST(Options, PrintedConfigRoundTripsAndHashIgnoresLogLevel) {
  Config cfg;
  Options o;
  parse(cfg, o, {"--explain.max_new_tokens=12", "--corpus.path=my file.jsonl", "--log-level=debug"});
  const auto ini = o.to_ini();
  const auto job = write_job("g.ini", ini);
  Config cfg2;
  Options o2;
  parse(cfg2, o2, {"--job", job});
  EXPECT_EQ(cfg2.explain.max_new_tokens, 12);
  EXPECT_EQ(cfg2.corpus.path, "my file.jsonl");
  EXPECT_EQ(o.hash(), o2.hash());
  Config cfg3;
  Options o3;
  parse(cfg3, o3, {"--explain.max_new_tokens=12", "--corpus.path=my file.jsonl", "--log-level=warn"});
  EXPECT_EQ(o.hash(), o3.hash());
  Config cfg4;
  Options o4;
  parse(cfg4, o4, {"--explain.max_new_tokens=13", "--corpus.path=my file.jsonl"});
  EXPECT_NE(o.hash(), o4.hash());
  EXPECT_EQ(o.to_json()["explain"]["max_new_tokens"], 12);
}

TEST(Options, ProfileSectionsApplyOnlyWhenSelected) {
  const auto job = write_job("p.ini",
                             "[train]\nepochs = 2\nname = base\n[train:explainer]\nname = explainer\ntask = explainer\n"
                             "[train:cls]\nname = cls\n");
  {
    Config cfg;
    Options o;
    parse(cfg, o, {"--job", job});
    EXPECT_EQ(cfg.train.name, "base");
    EXPECT_EQ(cfg.train.task, "classify");
  }
  {
    Config cfg;
    Options o;
    parse(cfg, o, {"--job", job, "--profile", "train:explainer"});
    EXPECT_EQ(cfg.train.name, "explainer");
    EXPECT_EQ(cfg.train.task, "explainer");
    EXPECT_EQ(cfg.train.epochs, 2);  // inherited from [train]
  }
  {
    Config cfg;
    Options o;
    parse(cfg, o, {"--job", job, "--profile=train:cls", "--train.name=cli"});
    EXPECT_EQ(cfg.train.name, "cli");  // command line wins over the profile
  }
  EXPECT_NE(error_of({"--job", job, "--profile", "train:nope"}).find("no section [train:nope]"), std::string::npos);
  EXPECT_NE(error_of({"--job", write_job("q.ini", "[train:x]\nbogus = 1\n")}).find("q.ini:2: unknown option"),
            std::string::npos);
}

TEST(Options, RunDirectoryPlaceholder) {
  Config cfg;
  Options o;
  parse(cfg, o, {"--run", "runs/x y", "--model.path={run}/models/explainer"});
  o.expand_run_dir(cfg.general.run_dir);
  EXPECT_EQ(cfg.model.path, "runs/x y/models/explainer");
  EXPECT_EQ(cfg.general.run_dir, "runs/x y");
}
