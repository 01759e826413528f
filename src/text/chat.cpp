// Chat templates per family, rendering exactly what the families' Jinja templates render.
#include "text/chat.h"

#include "util/error.h"

namespace because::text {
namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

void check_roles(const std::vector<ChatMessage>& m) {
  for (const auto& x : m)
    if (x.role != "system" && x.role != "user" && x.role != "assistant")
      throw InputError("chat message role '" + x.role + "' is not system, user or assistant");
}

}  // namespace

ChatTemplate detect_chat_template(const std::string& t, const std::string& tokenizer_class) {
  ChatTemplate out;
  if (t.find("<|start_header_id|>") != std::string::npos) {
    out.family = t.find("Cutting Knowledge Date") != std::string::npos ? ChatFamily::kLlama31 : ChatFamily::kLlama3;
  } else if (t.find("<|im_start|>") != std::string::npos) {
    out.family = ChatFamily::kChatML;
    for (const char* sys : {"You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
                            "You are a helpful assistant."})
      if (t.find(sys) != std::string::npos) { out.default_system = sys; break; }
  } else if (t.find("[INST]") != std::string::npos) {
    out.family = t.find("<<SYS>>") != std::string::npos ? ChatFamily::kLlama2 : ChatFamily::kMistral;
  }
  (void)tokenizer_class;
  return out;
}

ChatFamily parse_chat_family(const std::string& n) {
  if (n == "none") return ChatFamily::kNone;
  if (n == "llama3") return ChatFamily::kLlama3;
  if (n == "llama3.1" || n == "llama31") return ChatFamily::kLlama31;
  if (n == "mistral") return ChatFamily::kMistral;
  if (n == "chatml" || n == "qwen2") return ChatFamily::kChatML;
  if (n == "llama2") return ChatFamily::kLlama2;
  throw ConfigError("unknown chat template family '" + n + "' (none, llama3, llama3.1, mistral, chatml, llama2)");
}

std::string chat_family_name(ChatFamily f) {
  switch (f) {
    case ChatFamily::kNone: return "none";
    case ChatFamily::kLlama3: return "llama3";
    case ChatFamily::kLlama31: return "llama3.1";
    case ChatFamily::kMistral: return "mistral";
    case ChatFamily::kChatML: return "chatml";
    case ChatFamily::kLlama2: return "llama2";
  }
  return "none";
}

std::string render_chat(const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                        const std::string& bos, const std::string& eos) {
  check_roles(messages);
  std::string out;
  switch (tmpl.family) {
    case ChatFamily::kNone:
      throw ModelError("this tokenizer has no chat template (tokenizer_config.json has no chat_template the code knows)");
    case ChatFamily::kLlama3:
      for (size_t i = 0; i < messages.size(); ++i) {
        if (i == 0) out += bos;
        out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + trim(messages[i].content) + "<|eot_id|>";
      }
      if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      return out;
    case ChatFamily::kLlama31: {
      size_t first = 0;
      std::string system;
      if (!messages.empty() && messages[0].role == "system") {
        system = trim(messages[0].content);
        first = 1;
      }
      out += bos + "<|start_header_id|>system<|end_header_id|>\n\n";
      out += "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + system + "<|eot_id|>";
      for (size_t i = first; i < messages.size(); ++i)
        out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + trim(messages[i].content) + "<|eot_id|>";
      if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      return out;
    }
    case ChatFamily::kChatML:
      for (size_t i = 0; i < messages.size(); ++i) {
        if (i == 0 && messages[0].role != "system" && !tmpl.default_system.empty())
          out += "<|im_start|>system\n" + tmpl.default_system + "<|im_end|>\n";
        out += "<|im_start|>" + messages[i].role + "\n" + messages[i].content + "<|im_end|>\n";
      }
      if (add_generation_prompt) out += "<|im_start|>assistant\n";
      return out;
    case ChatFamily::kMistral:
    case ChatFamily::kLlama2: {
      size_t first = 0;
      std::string system;
      bool has_system = false;
      if (!messages.empty() && messages[0].role == "system") {
        system = messages[0].content;
        has_system = true;
        first = 1;
      }
      for (size_t i = first; i < messages.size(); ++i)
        if ((messages[i].role == "user") != ((i - first) % 2 == 0))
          throw InputError("chat messages must alternate user/assistant after an optional system message");
      if (tmpl.family == ChatFamily::kMistral) {
        out += bos;
        for (size_t i = first; i < messages.size(); ++i) {
          const auto& m = messages[i];
          if (m.role == "user") {
            if (i + 1 == messages.size() && has_system)  // the template's `loop.last and system_message is defined`
              out += "[INST] " + system + "\n\n" + m.content + "[/INST]";
            else
              out += "[INST] " + m.content + "[/INST]";
          } else {
            out += " " + trim(m.content) + eos;
          }
        }
        return out;
      }
      // Llama 2: <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s>
      for (size_t i = first; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (m.role == "user") {
          std::string content = m.content;
          if (i == first && has_system) content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
          out += bos + "[INST] " + trim(content) + " [/INST]";
        } else {
          out += " " + trim(m.content) + " " + eos;
        }
      }
      return out;
    }
  }
  return out;
}

}  // namespace because::text
