// Tokenizer loading (directory or file), the shared encode/chat helpers and GPT-2's byte map.
#include "text/tokenizer.h"

#include <sys/stat.h>

#include "text/hf_tokenizer.h"
#include "util/error.h"
#include "util/files.h"

namespace because::text {
namespace {

using json = nlohmann::json;

bool is_dir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string token_text(const json& cfg, const char* key) {
  if (!cfg.contains(key) || cfg[key].is_null()) return "";
  if (cfg[key].is_string()) return cfg[key].get<std::string>();
  if (cfg[key].is_object() && cfg[key].contains("content")) return cfg[key]["content"].get<std::string>();
  return "";
}

json read_json(const std::string& path) {
  try {
    return json::parse(files::read_text(path));
  } catch (const json::exception& e) {
    throw ModelError("bad JSON in " + path + ": " + e.what());
  }
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void TokenizerLoader::finish(Tokenizer& t, const json& cfg) {
  auto id_of = [&](const std::string& s) -> int32_t {
    if (s.empty()) return -1;
    auto id = t.token_to_id(s);
    return id ? *id : -1;
  };
  auto first_of = [&](std::initializer_list<const char*> names, std::string* text) -> int32_t {
    for (const char* n : names)
      if (auto id = t.token_to_id(n)) {
        if (text) *text = n;
        return *id;
      }
    return -1;
  };
  SpecialIds& s = t.special_;
  std::string bos = token_text(cfg, "bos_token"), eos = token_text(cfg, "eos_token");
  if (!bos.empty()) s.bos = id_of(bos);
  if (!eos.empty()) s.eos = id_of(eos);
  if (s.bos < 0) s.bos = first_of({"<|begin_of_text|>", "<s>"}, &bos);
  if (s.eos < 0) s.eos = first_of({"<|end_of_text|>", "</s>", "<|endoftext|>", "<|im_end|>"}, &eos);
  if (bos.empty() && s.bos >= 0) bos = t.id_to_token(s.bos);
  if (eos.empty() && s.eos >= 0) eos = t.id_to_token(eos.empty() ? s.eos : s.eos);
  const std::string pad = token_text(cfg, "pad_token"), unk = token_text(cfg, "unk_token");
  if (!pad.empty()) s.pad = id_of(pad);
  if (s.pad < 0) s.pad = first_of({"[PAD]", "<pad>"}, nullptr);
  if (!unk.empty()) s.unk = id_of(unk);
  if (s.unk < 0) s.unk = first_of({"[UNK]", "<unk>"}, nullptr);
  s.cls = first_of({"[CLS]"}, nullptr);
  if (s.cls < 0 && t.kind() == "bpe-bytelevel") s.cls = first_of({"<s>"}, nullptr);
  s.sep = first_of({"[SEP]"}, nullptr);
  if (s.sep < 0 && t.kind() == "bpe-bytelevel") s.sep = first_of({"</s>"}, nullptr);
  s.mask = first_of({"[MASK]", "<mask>"}, nullptr);
  s.stop.clear();
  if (s.eos >= 0) s.stop.push_back(s.eos);
  for (const char* n : {"<|eot_id|>", "<|im_end|>", "<|end_of_text|>", "<|endoftext|>", "<|eom_id|>"})
    if (auto id = t.token_to_id(n))
      if (std::find(s.stop.begin(), s.stop.end(), *id) == s.stop.end()) s.stop.push_back(*id);
  t.bos_text_ = bos;
  t.eos_text_ = eos;
  std::string tmpl;
  if (cfg.contains("chat_template")) {
    if (cfg["chat_template"].is_string()) tmpl = cfg["chat_template"].get<std::string>();
    else if (cfg["chat_template"].is_array())
      for (const auto& x : cfg["chat_template"])
        if (x.value("name", "") == "default") tmpl = x.value("template", "");
  }
  t.chat_ = detect_chat_template(tmpl, cfg.value("tokenizer_class", std::string()));
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path) {
  std::string dir = path, file;
  if (!is_dir(path)) {
    if (!files::exists(path)) throw InputError("tokenizer path " + path + " does not exist");
    const auto slash = path.find_last_of('/');
    dir = slash == std::string::npos ? "." : path.substr(0, slash);
    file = path;
  }
  json cfg = json::object();
  if (files::exists(dir + "/tokenizer_config.json")) cfg = read_json(dir + "/tokenizer_config.json");
  if (file.empty()) {
    for (const char* name : {"tokenizer.json", "tokenizer.model", "tokenizer.model.v3", "vocab.txt"})
      if (files::exists(dir + "/" + name)) {
        file = dir + "/" + name;
        break;
      }
    if (file.empty())
      throw InputError("no tokenizer in " + dir + " (looked for tokenizer.json, tokenizer.model, vocab.txt)");
  }
  std::unique_ptr<Tokenizer> t;
  if (ends_with(file, ".json")) {
    t = make_tokenizer_json(read_json(file), file);
  } else if (ends_with(file, ".txt")) {
    bool lower = true;
    if (cfg.contains("do_lower_case")) lower = cfg["do_lower_case"].get<bool>();
    else if (dir.find("cased") != std::string::npos && dir.find("uncased") == std::string::npos) lower = false;
    t = make_wordpiece_vocab(file, lower);
  } else {
    t = make_sentencepiece(file, cfg.value("add_bos_token", true), cfg.value("add_eos_token", false));
  }
  TokenizerLoader::finish(*t, cfg);
  return t;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special) const {
  return encode_full(text, add_special).ids;
}

std::string Tokenizer::apply_chat_template(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
  return render_chat(chat_, messages, add_generation_prompt, bos_text_, eos_text_);
}

const std::vector<std::string>& bytes_to_unicode() {
  static const std::vector<std::string> table = [] {
    std::vector<std::string> t(256);
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
      std::string s;
      if (cp < 0x80) {
        s.push_back(static_cast<char>(cp));
      } else {
        s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
      t[b] = s;
    }
    return t;
  }();
  return table;
}

}  // namespace because::text
