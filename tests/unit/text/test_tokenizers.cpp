// Real tokenizers against independent expected ids: GPT-2 and BERT ids from the reference
// implementations in reference/ (OpenAI's encoder.py algorithm, google-research/bert's
// tokenization.py algorithm, run separately on the same vocabulary files), Mistral v0.3's
// tokenizer.json and the native .model reader against libsentencepiece (linked only here, as
// the reference), Llama 2 published ids.
#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <cstdlib>
#include <filesystem>

#include "text/tokenizer.h"

using because::text::Tokenizer;

namespace {

std::string shared_dir() {
  const char* s = std::getenv("BECAUSE_SHARED");
  return s ? s : "";
}

#define REQUIRE_SHARED(sub)                                       \
  const std::string dir = shared_dir() + "/" + (sub);             \
  if (shared_dir().empty() || !std::filesystem::exists(dir)) GTEST_SKIP() << "no " << dir;

// tests/unit/text/reference/sentences.json, in the same order.
const std::vector<std::string> kSentences = {
    "Hello world",
    "Hello, world! How are you?",
    " leading space",
    "double  space and   triple",
    "Numbers: 3.14159, 42 and 1,000,000.",
    "Caf\xc3\xa9, na\xc3\xafve r\xc3\xa9sum\xc3\xa9; \xc3\x89" "COLE d\xc3\xa9j\xc3\xa0 vu",
    "Emoji \xf0\x9f\xa4\x97 and \xf0\x9f\x9a\x80!",
    "I can't, we'll, they're ok.",
    "tabs\tand\nnewlines\n\nend",
    "CJK \xe4\xb8\xad\xe6\x96\x87 \xe5\xad\x97\xe7\xac\xa6 mixed",
    "unbelievably_long_identifier-with-dashes",
    "",
};

}  // namespace

TEST(Tokenizers, Gpt2MatchesReference) {
  REQUIRE_SHARED("tokenizers/gpt2/tokenizer.json");
  // python3 reference/gpt2_reference.py ../shared/tokenizers/gpt2 < reference/sentences.json
  const std::vector<std::vector<int32_t>> expected = {
      {15496, 995},
      {15496, 11, 995, 0, 1374, 389, 345, 30},
      {3756, 2272},
      {23352, 220, 2272, 290, 220, 220, 15055},
      {49601, 25, 513, 13, 1415, 19707, 11, 5433, 290, 352, 11, 830, 11, 830, 13},
      {34, 1878, 2634, 11, 41492, 40560, 16345, 2634, 26, 43052, 8220, 2538, 39073, 73, 24247, 410, 84},
      {36, 5908, 7285, 12520, 97, 245, 290, 12520, 248, 222, 0},
      {40, 460, 470, 11, 356, 1183, 11, 484, 821, 12876, 13},
      {8658, 82, 197, 392, 198, 3605, 6615, 198, 198, 437},
      {34, 41, 42, 220, 40792, 23877, 229, 10263, 255, 245, 163, 105, 99, 7668},
      {403, 6667, 11203, 1346, 62, 6511, 62, 738, 7483, 12, 4480, 12, 67, 7465},
      {},
  };
  auto tok = Tokenizer::load(dir);
  EXPECT_EQ(tok->kind(), "bpe-bytelevel");
  for (size_t i = 0; i < kSentences.size(); ++i) {
    EXPECT_EQ(tok->encode(kSentences[i], true), expected[i]) << kSentences[i];
    EXPECT_EQ(tok->decode(expected[i]), kSentences[i]);
  }
  EXPECT_EQ(tok->encode("a<|endoftext|>b", true), (std::vector<int32_t>{64, 50256, 65}));
  EXPECT_EQ(tok->special().eos, 50256);
}

TEST(Tokenizers, BertUncasedMatchesReference) {
  REQUIRE_SHARED("tokenizers/bert-base-uncased/vocab.txt");
  // python3 reference/bert_reference.py ../shared/tokenizers/bert-base-uncased/vocab.txt < reference/sentences.json
  const std::vector<std::vector<int32_t>> expected = {
      {101, 7592, 2088, 102},
      {101, 7592, 1010, 2088, 999, 2129, 2024, 2017, 1029, 102},
      {101, 2877, 2686, 102},
      {101, 3313, 2686, 1998, 6420, 102},
      {101, 3616, 1024, 1017, 1012, 15471, 28154, 1010, 4413, 1998, 1015, 1010, 2199, 1010, 2199, 1012, 102},
      {101, 7668, 1010, 15743, 13746, 1025, 12431, 2139, 3900, 24728, 102},
      {101, 7861, 29147, 2072, 100, 1998, 100, 999, 102},
      {101, 1045, 2064, 1005, 1056, 1010, 2057, 1005, 2222, 1010, 2027, 1005, 2128, 7929, 1012, 102},
      {101, 21628, 2015, 1998, 2047, 12735, 2203, 102},
      {101, 1039, 15992, 1746, 1861, 100, 100, 3816, 102},
      {101, 4895, 8671, 2666, 3567, 6321, 1035, 2146, 1035, 8909, 4765, 18095, 1011, 2007, 1011, 11454, 2229, 102},
      {101, 102},
  };
  auto tok = Tokenizer::load(dir);
  EXPECT_EQ(tok->kind(), "wordpiece");
  for (size_t i = 0; i < kSentences.size(); ++i) EXPECT_EQ(tok->encode(kSentences[i]), expected[i]) << kSentences[i];
  auto pair = tok->encode_pair("Hello world", "How are you?");
  EXPECT_EQ(pair.ids, (std::vector<int32_t>{101, 7592, 2088, 102, 2129, 2024, 2017, 1029, 102}));
  EXPECT_EQ(pair.type_ids, (std::vector<int32_t>{0, 0, 0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(tok->decode(expected[1]), "hello, world! how are you?");
  EXPECT_EQ(tok->special().cls, 101);
  EXPECT_EQ(tok->special().sep, 102);
  EXPECT_EQ(tok->special().pad, 0);
  EXPECT_EQ(tok->special().mask, 103);
}

TEST(Tokenizers, MistralJsonMatchesSentencepiece) {
  REQUIRE_SHARED("tokenizers/mistral-7b-instruct-v0.3/tokenizer.json");
  const std::string base = shared_dir() + "/tokenizers/mistral-7b-instruct-v0.3";
  sentencepiece::SentencePieceProcessor sp;
  ASSERT_TRUE(sp.Load(base + "/tokenizer.model.v3").ok());
  auto tok = Tokenizer::load(base + "/tokenizer.json");
  EXPECT_EQ(tok->kind(), "bpe-sentencepiece");
  for (const auto& s : kSentences) {
    // tokenizer.json's Metaspace (prepend_scheme "first") does not add a second "▁" to text
    // that already starts with a space; sentencepiece always adds its dummy prefix.
    const std::string sp_text = !s.empty() && s[0] == ' ' ? s.substr(1) : s;
    std::vector<int> ref;
    ASSERT_TRUE(sp.Encode(sp_text, &ref).ok());
    std::vector<int32_t> want{1};
    want.insert(want.end(), ref.begin(), ref.end());
    if (s.empty()) want = {1};
    EXPECT_EQ(tok->encode(s, true), want) << s;
    if (!s.empty() && s[0] != ' ') {
      EXPECT_EQ(tok->decode(want), s);
    }
  }
  // Control tokens written in the text are single ids.
  const auto inst = tok->token_to_id("[INST]");
  ASSERT_TRUE(inst.has_value());
  EXPECT_EQ(tok->encode("[INST]", false), std::vector<int32_t>{*inst});
  EXPECT_EQ(tok->chat_family(), because::text::ChatFamily::kMistral);
  EXPECT_EQ(tok->apply_chat_template({{"system", "Be brief."}, {"user", "Hi"}}),
            "<s>[INST] Be brief.\n\nHi[/INST]");
  EXPECT_EQ(tok->apply_chat_template({{"user", "Hi"}, {"assistant", " Hello "}, {"user", "Bye"}}),
            "<s>[INST] Hi[/INST] Hello</s>[INST] Bye[/INST]");
}

// Runs of spaces: libsentencepiece splits "▁▁▁word" into "▁▁" + "▁word" (ids 259 / 1027).
TEST(Tokenizers, Llama2SentencepieceModel) {
  REQUIRE_SHARED("tokenizers/llama2/tokenizer.model");
  auto tok = Tokenizer::load(dir);
  EXPECT_EQ(tok->kind(), "sentencepiece-model");
  // Published Llama 2 ids: "Hello world" -> <s> ▁Hello ▁world.
  EXPECT_EQ(tok->encode("Hello world"), (std::vector<int32_t>{1, 15043, 3186}));
  EXPECT_EQ(tok->vocab_size(), 32000);
  EXPECT_EQ(tok->id_to_token(15043), "\xe2\x96\x81Hello");
  for (const auto& s : kSentences) {
    if (!s.empty() && s[0] != ' ') {
      EXPECT_EQ(tok->decode(tok->encode(s)), s);
    }
  }
  // The native .model reader agrees with libsentencepiece on every sentence, for Llama 2 and
  // Mistral v0.3's tokenizer.model.v3.
  for (const std::string& model : {dir, shared_dir() + "/tokenizers/mistral-7b-instruct-v0.3/tokenizer.model.v3"}) {
    if (!std::filesystem::exists(model)) continue;
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(model).ok());
    auto native = Tokenizer::load(model);
    for (const auto& s : kSentences) {
      std::vector<int> ref;
      ASSERT_TRUE(sp.Encode(s, &ref).ok());
      EXPECT_EQ(native->encode(s, false), std::vector<int32_t>(ref.begin(), ref.end())) << model << ": " << s;
    }
  }
}

TEST(Tokenizers, Stories260K) {
  REQUIRE_SHARED("models/stories260K/tokenizer.json");
  auto tok = Tokenizer::load(shared_dir() + "/models/stories260K");
  EXPECT_EQ(tok->vocab_size(), 512);
  EXPECT_EQ(tok->encode("", true), std::vector<int32_t>{1});
  EXPECT_EQ(tok->special().bos, 1);
  EXPECT_EQ(tok->special().eos, 2);
  for (const auto& s : {"Once upon a time, there was a little girl named Lily.", "Caf\xc3\xa9 \xf0\x9f\xa4\x97"}) {
    const auto ids = tok->encode(s);
    EXPECT_EQ(ids[0], 1);
    EXPECT_EQ(tok->decode(ids), s);
  }
  // Pieces of the vocabulary itself: "▁Once" and "▁upon" are single tokens.
  const auto once = tok->token_to_id("\xe2\x96\x81Once");
  ASSERT_TRUE(once.has_value());
  EXPECT_EQ(tok->encode("Once", false), std::vector<int32_t>{*once});
}
