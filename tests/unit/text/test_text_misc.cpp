// Pre-tokenizer regexes (hand-derived splits), chat templates, Unicode helpers, BPE trainer.
#include <gtest/gtest.h>

#include <filesystem>

#include "text/chat.h"
#include "text/pretokenize.h"
#include "text/tokenizer.h"
#include "text/trainer.h"
#include "text/unicode.h"
#include "util/error.h"

using namespace because::text;

TEST(Pretokenize, Llama3Regex) {
  const auto p = split_regex("Hello 123456 world's\n\n  x", SplitPattern::kLlama3);
  EXPECT_EQ(p, (std::vector<std::string>{"Hello", " ", "123", "456", " world", "'s", "\n\n", " ", " x"}));
  const auto q = split_regex("Hello 123456", SplitPattern::kQwen2);
  EXPECT_EQ(q, (std::vector<std::string>{"Hello", " ", "1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(split_regex("It'S ok!!\n", SplitPattern::kLlama3), (std::vector<std::string>{"It", "'S", " ok", "!!\n"}));
}

TEST(Pretokenize, Gpt2Regex) {
  EXPECT_EQ(split_regex("a  b\t\nc 12 !?", SplitPattern::kGpt2),
            (std::vector<std::string>{"a", " ", " b", "\t", "\n", "c", " 12", " !?"}));
  EXPECT_EQ(split_regex("It'S", SplitPattern::kGpt2), (std::vector<std::string>{"It", "'", "S"}));
  EXPECT_EQ(split_regex("end   ", SplitPattern::kGpt2), (std::vector<std::string>{"end", "   "}));
}

TEST(Pretokenize, BertSplit) {
  EXPECT_EQ(split_bert(" hello,world!  x"), (std::vector<std::string>{"hello", ",", "world", "!", "x"}));
}

TEST(Unicode, Properties) {
  using namespace unicode;
  EXPECT_TRUE(is_letter(U'\u00e9'));
  EXPECT_TRUE(is_letter(U'\u4e2d'));
  EXPECT_FALSE(is_letter(U'1'));
  EXPECT_TRUE(is_number(U'\u0663'));  // Arabic-Indic three
  EXPECT_TRUE(is_punctuation(U'\u00bf'));
  EXPECT_TRUE(is_whitespace(U'\u3000'));
  std::string s;
  append_lower(s, U'\u00c9');
  append_strip_accents(s, U'\u00e9');
  EXPECT_EQ(s, "\xc3\xa9" "e");
  EXPECT_EQ(encode_utf8(decode_utf8("a\xf0\x9f\xa4\x97")), "a\xf0\x9f\xa4\x97");
}

TEST(Chat, Templates) {
  const std::vector<ChatMessage> m = {{"system", "Sys"}, {"user", " Hi "}};
  EXPECT_EQ(render_chat({ChatFamily::kLlama3, ""}, m, true, "<|begin_of_text|>", "<|eot_id|>"),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nSys<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(render_chat({ChatFamily::kChatML, "You are a helpful assistant."}, {{"user", "Hi"}}, true, "", ""),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(render_chat({ChatFamily::kLlama2, ""}, m, false, "<s>", "</s>"),
            "<s>[INST] <<SYS>>\nSys\n<</SYS>>\n\n Hi [/INST]");
  EXPECT_THROW(render_chat({ChatFamily::kMistral, ""}, {{"assistant", "x"}}, true, "<s>", "</s>"), because::InputError);
  EXPECT_EQ(detect_chat_template("{{ '<|im_start|>' }} You are a helpful assistant.").family, ChatFamily::kChatML);
}

TEST(Trainer, BpeRoundTripAndMerges) {
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i)
    texts.push_back("the premise entails the hypothesis " + std::to_string(i % 17) + " caf\xc3\xa9 because reasons.");
  const auto dir = (std::filesystem::temp_directory_path() / ("because_bpe_" + std::to_string(::getpid()))).string();
  BpeTrainOptions o;
  o.vocab_size = 320;
  train_bpe_tokenizer(texts, o, dir);
  auto tok = Tokenizer::load(dir);
  EXPECT_LE(tok->vocab_size(), 320);
  EXPECT_GT(tok->vocab_size(), 260);
  const std::string s = "the premise entails \xf0\x9f\xa4\x97 unseen words!";
  const auto ids = tok->encode(s);
  EXPECT_EQ(ids[0], 0);  // <s>
  EXPECT_EQ(tok->decode(ids), s);
  // A frequent word is merged into one token.
  EXPECT_EQ(tok->encode(" premise", false).size(), 1u);
  EXPECT_EQ(tok->special().eos, 1);
  EXPECT_EQ(tok->special().pad, 2);
  std::filesystem::remove_all(dir);
}
