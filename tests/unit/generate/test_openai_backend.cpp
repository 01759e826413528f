// The openai backend against a local OpenAI-compatible test server that answers correctly,
// slowly, with 429 + Retry-After, 500, malformed JSON and dropped connections.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "generate/openai_backend.h"
#include "util/error.h"

using namespace because;
using namespace because::generate;
using json = nlohmann::json;

namespace {

// Behaviour by marker in the prompt: "[fail N KIND]" fails the first N tries of that prompt with
// KIND (429, 500, malformed, drop, slow), then answers; "[always 500]" never succeeds.
class TestServer {
 public:
  TestServer() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
    server_.Post("/v1/chat/completions", handler);
    server_.Post("/v1/completions", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int tries(const std::string& prompt) {
    std::lock_guard<std::mutex> g(mu_);
    return tries_[prompt];
  }
  std::string last_auth;

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    const auto body = json::parse(req.body);
    const bool chat = body.contains("messages");
    const std::string prompt = chat ? body["messages"].back()["content"].get<std::string>() : body["prompt"].get<std::string>();
    int n = 0;
    {
      std::lock_guard<std::mutex> g(mu_);
      n = ++tries_[prompt];
      last_auth = req.get_header_value("Authorization");
    }
    int fail = 0;
    char kind[32] = {0};
    if (const auto p = prompt.find("[fail "); p != std::string::npos) std::sscanf(prompt.c_str() + p, "[fail %d %31[a-z0-9]", &fail, kind);
    if (prompt.find("[always 500]") != std::string::npos) {
      fail = 1000;
      std::strcpy(kind, "500");
    }
    if (n <= fail) {
      const std::string k = kind;
      if (k == "429") {
        res.status = 429;
        res.set_header("Retry-After", "1");
        res.set_content("{\"error\": \"rate limited\"}", "application/json");
        return;
      }
      if (k == "500") {
        res.status = 500;
        res.set_content("{\"error\": \"internal\"}", "application/json");
        return;
      }
      if (k == "malformed") {
        res.set_content("{\"choices\": [ {\"text\": ", "application/json");
        return;
      }
      if (k == "drop") {
        // Promise 1000 bytes, send none: the client sees the connection end mid-reply.
        res.set_content_provider(1000, "application/json", [](size_t, size_t, httplib::DataSink&) { return false; });
        return;
      }
      if (k == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(4000));
    }
    json r;
    const bool scoring = body.value("max_tokens", 0) == 1;
    if (chat) {
      json choice = {{"index", 0}, {"message", {{"role", "assistant"}, {"content", "Because " + prompt.substr(0, 12)}}},
                     {"finish_reason", "stop"}};
      if (scoring) {
        choice["message"]["content"] = "A";
        choice["logprobs"] = {{"content", json::array({{{"token", "A"},
                                                        {"logprob", -0.5},
                                                        {"top_logprobs", json::array({{{"token", "A"}, {"logprob", -0.5}},
                                                                                      {{"token", " B"}, {"logprob", -1.5}},
                                                                                      {{"token", "B"}, {"logprob", -1.2}},
                                                                                      {{"token", "The"}, {"logprob", -3.0}}})}}})}};
      } else {
        choice["logprobs"] = {{"content", json::array({{{"token", "Because"}, {"logprob", -0.25}}, {{"token", " x"}, {"logprob", -0.5}}})}};
      }
      r["choices"] = json::array({choice});
    } else {
      json choice = {{"index", 0}, {"text", " Because " + prompt.substr(0, 12)}, {"finish_reason", "length"}};
      if (scoring) choice["logprobs"] = {{"top_logprobs", json::array({{{"A", -2.0}, {"C", -0.1}}})}};
      r["choices"] = json::array({choice});
    }
    r["usage"] = {{"prompt_tokens", 7}, {"completion_tokens", 3}};
    res.set_content(r.dump(), "application/json");
  }
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, int> tries_;
};

OpenAIOptions options(const TestServer& s) {
  OpenAIOptions o;
  o.url = s.url();
  o.model = "test-model";
  o.retries = 3;
  o.backoff_s = 0.01;
  o.backoff_max_s = 5;
  o.timeout_s = 2.5;  // the slow reply takes 4 s; everything else answers at once even on a loaded machine
  o.in_flight = 8;
  o.api_key_env = "BECAUSE_TEST_KEY";
  return o;
}

}  // namespace

TEST(OpenAI, EveryFailureModeCompletesWithTextOrError) {
  TestServer server;
  ::setenv("BECAUSE_TEST_KEY", "sekret-key", 1);
  OpenAIBackend b(options(server));
  EXPECT_EQ(b.provenance().dump().find("sekret"), std::string::npos);
  std::vector<std::string> prompts = {"ok one",          "ok two [fail 1 429]", "three [fail 2 500]",
                                      "four [fail 1 malformed]", "five [fail 1 drop]", "six [fail 1 slow]",
                                      "seven [always 500]"};
  std::vector<GenRequest> rq;
  for (const auto& p : prompts) {
    GenRequest g;
    g.prompt = p;
    g.seed = 42;
    rq.push_back(g);
  }
  SamplingParams sp;
  sp.max_new_tokens = 5;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = b.generate(rq, sp);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(server.last_auth, "Bearer sekret-key");
  ASSERT_EQ(r.size(), prompts.size());
  for (size_t i = 0; i + 1 < prompts.size(); ++i) {
    SCOPED_TRACE(prompts[i]);
    EXPECT_EQ(r[i].finish, Finish::kStop) << r[i].error;
    EXPECT_EQ(r[i].text, "Because " + prompts[i].substr(0, 12));
    EXPECT_EQ(r[i].n_tokens, 3);
    EXPECT_EQ(r[i].n_prompt_tokens, 7);
    EXPECT_NEAR(r[i].logprob, -0.75, 1e-12);
  }
  EXPECT_EQ(r.back().finish, Finish::kError);
  EXPECT_EQ(r.back().error.rfind("http_500", 0), 0u);
  EXPECT_EQ(server.tries("seven [always 500]"), 4);  // first try + 3 retries
  EXPECT_EQ(server.tries("three [fail 2 500]"), 3);
  EXPECT_GE(secs, 0.9);  // Retry-After: 1 was honoured
  const auto& c = b.stats().counts;
  EXPECT_EQ(c.at("retries"), 1 + 2 + 1 + 1 + 1 + 3);
  EXPECT_EQ(c.at("retry.http_429"), 1);
  EXPECT_EQ(c.at("retry.bad_response"), 1);
  EXPECT_EQ(c.at("retry.timeout"), 1);
  EXPECT_EQ(c.at("retry.transport"), 1);
  EXPECT_EQ(c.at("error.http_500"), 1);
  ::unsetenv("BECAUSE_TEST_KEY");
}

TEST(OpenAI, CompletionsApiAndFinishLength) {
  TestServer server;
  auto o = options(server);
  o.api = "completions";
  OpenAIBackend b(o);
  GenRequest g;
  g.prompt = "hello there";
  auto r = b.generate({g}, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].finish, Finish::kLength);
  EXPECT_EQ(r[0].text, " Because hello there");
}

TEST(OpenAI, LabelScoresFromLogprobs) {
  TestServer server;
  OpenAIBackend b(options(server));
  ScoreRequest s;
  s.prompt = "Which? A, B or C";
  auto r = b.score_choices({s}, {"A", "B", "C"});
  ASSERT_TRUE(r[0].error.empty()) << r[0].error;
  EXPECT_DOUBLE_EQ(r[0].scores[0], -0.5);
  EXPECT_DOUBLE_EQ(r[0].scores[1], -1.2);  // best spelling of B
  EXPECT_DOUBLE_EQ(r[0].scores[2], -3.0);  // absent: the lowest listed logprob
  auto o = options(server);
  o.api = "completions";
  OpenAIBackend bc(o);
  r = bc.score_choices({s}, {"A", "B", "C"});
  EXPECT_DOUBLE_EQ(r[0].scores[0], -2.0);
  EXPECT_DOUBLE_EQ(r[0].scores[2], -0.1);
}

TEST(OpenAI, UnreachableServerIsAnItemError) {
  OpenAIOptions o;
  o.url = "http://127.0.0.1:1/v1";
  o.model = "m";
  o.retries = 1;
  o.backoff_s = 0.01;
  OpenAIBackend b(o);
  GenRequest g;
  g.prompt = "x";
  auto r = b.generate({g}, {});
  EXPECT_EQ(r[0].finish, Finish::kError);
  EXPECT_EQ(r[0].error.rfind("transport", 0), 0u);
}

TEST(OpenAI, NeedsModelName) {
  OpenAIOptions o;
  EXPECT_THROW(OpenAIBackend{o}, ConfigError);
}
