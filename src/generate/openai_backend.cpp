// OpenAI-compatible HTTP backend over curl multi.
#include "generate/openai_backend.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <thread>

#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

namespace because::generate {
namespace {

using Clock = std::chrono::steady_clock;

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

void check_curl(CURLcode rc, const char* call) {
  if (rc != CURLE_OK) throw BackendError(std::string(call) + ": " + curl_easy_strerror(rc));
}
void check_multi(CURLMcode rc, const char* call) {
  if (rc != CURLM_OK) throw BackendError(std::string(call) + ": " + curl_multi_strerror(rc));
}

struct GlobalCurl {
  GlobalCurl() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t a = 0;
  while (a < s.size() && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  return s.substr(a);
}

// One transfer in flight.
struct Transfer {
  size_t index = 0;
  int attempt = 0;
  std::unique_ptr<CURL, CurlEasyDeleter> easy;
  std::string body_out;
  std::string body_in;
  double retry_after_s = -1;
};

size_t write_cb(char* data, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->body_in.append(data, size * n);
  return size * n;
}

size_t header_cb(char* data, size_t size, size_t n, void* user) {
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string key = line.substr(0, colon);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key == "retry-after") {
      const std::string v = trim(line.substr(colon + 1));
      char* end = nullptr;
      const double s = std::strtod(v.c_str(), &end);
      if (end != v.c_str()) static_cast<Transfer*>(user)->retry_after_s = s;
    }
  }
  return size * n;
}

bool retryable_curl(CURLcode c) {
  switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string short_body(const std::string& b) {
  std::string s = b.substr(0, 200);
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

OpenAIBackend::OpenAIBackend(const OpenAIOptions& options) : options_(options) {
  static GlobalCurl global;
  if (options_.api != "chat" && options_.api != "completions")
    throw ConfigError("--explain.api: expected chat or completions, got '" + options_.api + "'");
  if (options_.model.empty()) throw ConfigError("--explain.api_model: the openai backend needs a model name");
  if (!options_.api_key_file.empty()) {
    key_ = trim(files::read_text(options_.api_key_file));
  } else if (!options_.api_key_env.empty()) {
    if (const char* k = std::getenv(options_.api_key_env.c_str())) key_ = trim(k);
  }
  while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
}

OpenAIBackend::~OpenAIBackend() = default;

nlohmann::json OpenAIBackend::provenance() const {
  // The key is deliberately absent.
  return {{"backend", "openai"}, {"model", options_.model}, {"url", options_.url}, {"api", options_.api}};
}

std::vector<std::string> OpenAIBackend::post_all(const std::string& path, const std::vector<std::string>& bodies,
                                                 const std::function<void(size_t, const std::string&)>& parse) {
  std::vector<std::string> errors(bodies.size());
  std::unique_ptr<CURLM, CurlMultiDeleter> multi(curl_multi_init());
  if (!multi) throw BackendError("curl_multi_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  {
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!key_.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + key_).c_str());
    headers.reset(h);
  }
  const std::string url = options_.url + path;
  std::mt19937_64 jitter(0x5eedULL + bodies.size());

  struct Pending {
    size_t index;
    int attempt;
    Clock::time_point not_before;
  };
  std::deque<Pending> queue;
  for (size_t i = 0; i < bodies.size(); ++i) queue.push_back({i, 0, Clock::now()});
  std::vector<std::unique_ptr<Transfer>> active;
  const int in_flight = std::max(1, options_.in_flight);

  auto start = [&](const Pending& p) {
    auto t = std::make_unique<Transfer>();
    t->index = p.index;
    t->attempt = p.attempt;
    t->easy.reset(curl_easy_init());
    if (!t->easy) throw BackendError("curl_easy_init failed");
    CURL* e = t->easy.get();
    check_curl(curl_easy_setopt(e, CURLOPT_URL, url.c_str()), "CURLOPT_URL");
    check_curl(curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get()), "CURLOPT_HTTPHEADER");
    check_curl(curl_easy_setopt(e, CURLOPT_POSTFIELDS, bodies[p.index].c_str()), "CURLOPT_POSTFIELDS");
    check_curl(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bodies[p.index].size())),
               "CURLOPT_POSTFIELDSIZE");
    check_curl(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb), "CURLOPT_WRITEFUNCTION");
    check_curl(curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get()), "CURLOPT_WRITEDATA");
    check_curl(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb), "CURLOPT_HEADERFUNCTION");
    check_curl(curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get()), "CURLOPT_HEADERDATA");
    check_curl(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_s * 1000)), "CURLOPT_TIMEOUT_MS");
    check_curl(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L), "CURLOPT_CONNECTTIMEOUT_MS");
    check_curl(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L), "CURLOPT_NOSIGNAL");
    check_curl(curl_easy_setopt(e, CURLOPT_PRIVATE, t.get()), "CURLOPT_PRIVATE");
    check_multi(curl_multi_add_handle(multi.get(), e), "curl_multi_add_handle");
    active.push_back(std::move(t));
    stats_.add("http_requests");
  };

  auto backoff = [&](int attempt, double retry_after) {
    double d = options_.backoff_s * std::pow(2.0, attempt);
    d = std::min(d, options_.backoff_max_s);
    d *= 0.5 + 0.5 * std::uniform_real_distribution<double>(0, 1)(jitter);  // jitter in [d/2, d)
    if (retry_after >= 0) d = std::max(d, std::min(retry_after, options_.backoff_max_s));
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(d));
  };

  auto finish = [&](Transfer& t, CURLcode cc) {
    long status = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    std::string reason;
    bool retry = false;
    double retry_after = -1;
    if (cc != CURLE_OK) {
      reason = std::string(cc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport") + ": " + curl_easy_strerror(cc);
      retry = retryable_curl(cc);
    } else if (status == 200) {
      try {
        parse(t.index, t.body_in);
        return;
      } catch (const std::exception& e) {
        reason = std::string("bad_response: ") + e.what();
        retry = true;
      }
    } else if (status == 429) {
      reason = "http_429: " + short_body(t.body_in);
      retry = true;
      retry_after = t.retry_after_s;
    } else if (status >= 500) {
      reason = "http_" + std::to_string(status) + ": " + short_body(t.body_in);
      retry = true;
    } else {
      reason = "http_" + std::to_string(status) + ": " + short_body(t.body_in);
    }
    const std::string kind = reason.substr(0, reason.find(':'));
    if (retry && t.attempt < options_.retries) {
      stats_.add("retries");
      stats_.add("retry." + kind);
      log::debug("request ", t.index, " attempt ", t.attempt + 1, " failed (", reason, "), retrying");
      queue.push_back({t.index, t.attempt + 1, Clock::now() + backoff(t.attempt, retry_after)});
    } else {
      errors[t.index] = reason;
      stats_.add("error." + kind);
    }
  };

  while (!queue.empty() || !active.empty()) {
    // Start what may start now (in queue order among the ready ones).
    const auto now = Clock::now();
    for (auto it = queue.begin(); it != queue.end() && static_cast<int>(active.size()) < in_flight;) {
      if (it->not_before <= now) {
        start(*it);
        it = queue.erase(it);
      } else {
        ++it;
      }
    }
    int running = 0;
    check_multi(curl_multi_perform(multi.get(), &running), "curl_multi_perform");
    int msgs = 0;
    while (CURLMsg* m = curl_multi_info_read(multi.get(), &msgs)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      const CURLcode cc = m->data.result;
      curl_multi_remove_handle(multi.get(), m->easy_handle);
      finish(*t, cc);
      active.erase(std::remove_if(active.begin(), active.end(), [&](const auto& p) { return p.get() == t; }),
                   active.end());
    }
    if (active.empty() && !queue.empty()) {
      // Everything waits for a backoff: sleep until the earliest is due.
      auto due = queue.front().not_before;
      for (const auto& p : queue) due = std::min(due, p.not_before);
      const auto wait = due - Clock::now();
      if (wait > Clock::duration::zero()) std::this_thread::sleep_for(std::min<Clock::duration>(wait, std::chrono::milliseconds(200)));
    } else if (!active.empty()) {
      int fds = 0;
      check_multi(curl_multi_poll(multi.get(), nullptr, 0, 50, &fds), "curl_multi_poll");
    }
  }
  return errors;
}

namespace {

nlohmann::json base_body(const std::string& model, const std::string& api, const std::string& system,
                         const std::string& prompt) {
  nlohmann::json j;
  j["model"] = model;
  if (api == "chat") {
    nlohmann::json msgs = nlohmann::json::array();
    if (!system.empty()) msgs.push_back({{"role", "system"}, {"content", system}});
    msgs.push_back({{"role", "user"}, {"content", prompt}});
    j["messages"] = msgs;
  } else {
    j["prompt"] = system.empty() ? prompt : system + "\n\n" + prompt;
  }
  return j;
}

}  // namespace

std::vector<GenResult> OpenAIBackend::generate(const std::vector<GenRequest>& requests, const SamplingParams& params) {
  std::vector<GenResult> out(requests.size());
  std::vector<std::string> bodies;
  for (const auto& r : requests) {
    // chat=false with api=chat still sends messages: the server owns the template.
    auto j = base_body(options_.model, options_.api, r.system, r.prompt);
    j["max_tokens"] = params.max_new_tokens;
    j["temperature"] = params.temperature;
    j["top_p"] = params.top_p;
    if (params.top_k > 0) j["top_k"] = params.top_k;
    j["seed"] = static_cast<int64_t>(r.seed & 0x7fffffffffffffffULL);
    j["n"] = 1;
    if (options_.api == "chat") {
      j["logprobs"] = true;
    } else {
      j["logprobs"] = 1;
    }
    bodies.push_back(j.dump());
  }
  const bool chat = options_.api == "chat";
  auto parse = [&](size_t i, const std::string& body) {
    const auto j = nlohmann::json::parse(body);  // throws on malformed JSON
    const auto& c = j.at("choices").at(0);
    GenResult& g = out[i];
    g.text = chat ? c.at("message").at("content").get<std::string>() : c.at("text").get<std::string>();
    const std::string fr = c.value("finish_reason", std::string("stop"));
    g.finish = fr == "length" ? Finish::kLength : Finish::kStop;
    if (j.contains("usage") && j["usage"].is_object()) {
      g.n_prompt_tokens = j["usage"].value("prompt_tokens", int64_t{0});
      g.n_tokens = j["usage"].value("completion_tokens", int64_t{0});
    }
    g.logprob = 0;
    if (c.contains("logprobs") && c["logprobs"].is_object()) {
      const auto& lp = c["logprobs"];
      if (chat && lp.contains("content") && lp["content"].is_array()) {
        for (const auto& t : lp["content"]) g.logprob += t.value("logprob", 0.0);
      } else if (!chat && lp.contains("token_logprobs") && lp["token_logprobs"].is_array()) {
        for (const auto& t : lp["token_logprobs"])
          if (t.is_number()) g.logprob += t.get<double>();
      }
    }
  };
  const auto errors = post_all(chat ? "/chat/completions" : "/completions", bodies, parse);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!errors[i].empty()) {
      out[i] = GenResult{};
      out[i].finish = Finish::kError;
      out[i].error = errors[i];
    }
  }
  stats_.add("requests", static_cast<int64_t>(requests.size()));
  return out;
}

std::vector<ScoreResult> OpenAIBackend::score_choices(const std::vector<ScoreRequest>& requests,
                                                      const std::vector<std::string>& choices) {
  std::vector<ScoreResult> out(requests.size());
  std::vector<std::string> bodies;
  const bool chat = options_.api == "chat";
  for (const auto& r : requests) {
    auto j = base_body(options_.model, options_.api, r.system, r.prompt);
    j["max_tokens"] = 1;
    j["temperature"] = 0.0;
    if (chat) {
      j["logprobs"] = true;
      j["top_logprobs"] = options_.top_logprobs;
    } else {
      j["logprobs"] = options_.top_logprobs;
    }
    bodies.push_back(j.dump());
  }
  auto parse = [&](size_t i, const std::string& body) {
    const auto j = nlohmann::json::parse(body);
    const auto& c = j.at("choices").at(0);
    // (token, logprob) pairs of the first position.
    std::vector<std::pair<std::string, double>> top;
    if (chat) {
      for (const auto& t : c.at("logprobs").at("content").at(0).at("top_logprobs"))
        top.emplace_back(t.at("token").get<std::string>(), t.at("logprob").get<double>());
    } else {
      for (const auto& [tok, lp] : c.at("logprobs").at("top_logprobs").at(0).items()) top.emplace_back(tok, lp.get<double>());
    }
    if (top.empty()) throw std::runtime_error("no top logprobs in the reply");
    double floor = 0;
    for (const auto& [t, lp] : top) floor = std::min(floor, lp);
    ScoreResult& s = out[i];
    s.scores.clear();
    for (const auto& ch : choices) {
      // A choice's score is its best-scoring spelling (" A", "A", "A." ...) among the top tokens;
      // absent from the top list it gets the lowest listed logprob (an upper bound of its own).
      double best = -std::numeric_limits<double>::infinity();
      for (const auto& [t, lp] : top) {
        std::string tt = trim(t);
        while (!tt.empty() && (tt.back() == '.' || tt.back() == ')' || tt.back() == ':')) tt.pop_back();
        if (tt == ch) best = std::max(best, lp);
      }
      s.scores.push_back(std::isfinite(best) ? best : floor);
    }
    if (j.contains("usage") && j["usage"].is_object()) s.n_prompt_tokens = j["usage"].value("prompt_tokens", int64_t{0});
  };
  const auto errors = post_all(chat ? "/chat/completions" : "/completions", bodies, parse);
  for (size_t i = 0; i < out.size(); ++i)
    if (!errors[i].empty()) {
      out[i] = ScoreResult{};
      out[i].error = errors[i];
    }
  stats_.add("score_requests", static_cast<int64_t>(requests.size()));
  return out;
}

}  // namespace because::generate
