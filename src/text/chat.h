// Chat templates of the instruct models that matter, written as code per family (no Jinja):
// Llama 3, Mistral (v0.3 [INST]), Qwen2 / ChatML, Llama 2. Selected from tokenizer_config.json.
#pragma once

#include <string>
#include <vector>

namespace because::text {

/// kLlama3: Llama 3.0 Instruct; kLlama31: Llama 3.1/3.2/3.3 (system header with knowledge/today
/// dates, fixed to the template's default "26 Jul 2024"); kChatML: Qwen2/Qwen2.5/SmolLM.
enum class ChatFamily { kNone, kLlama3, kLlama31, kMistral, kChatML, kLlama2 };

/// A family plus the template's default system message (ChatML of Qwen: "You are a helpful
/// assistant."), used when the conversation has none.
struct ChatTemplate {
  ChatFamily family = ChatFamily::kNone;
  std::string default_system;
};

struct ChatMessage {
  std::string role;     ///< "system", "user" or "assistant"
  std::string content;
};

/// Family of a chat template (the Jinja text of tokenizer_config.json's chat_template, plus its
/// tokenizer_class as a hint). kNone when the text is empty or unrecognised.
ChatTemplate detect_chat_template(const std::string& chat_template, const std::string& tokenizer_class = "");
/// Parses "llama3", "mistral", "chatml"/"qwen2", "llama2", "none"; throws ConfigError otherwise.
ChatFamily parse_chat_family(const std::string& name);
std::string chat_family_name(ChatFamily f);

/// Renders `messages` exactly as the family's Jinja template does (bos/eos are the tokenizer's
/// strings). Throws InputError for a role order the template refuses (e.g. Mistral alternation).
std::string render_chat(const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                        const std::string& bos, const std::string& eos);

}  // namespace because::text
