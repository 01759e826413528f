// Prompt templates: parsing, placeholders, examples, label words, errors; the shipped templates.
#include <gtest/gtest.h>

#include "generate/prompt.h"
#include "util/error.h"

using namespace because;
using namespace because::generate;

TEST(Prompt, SubstituteAndUnknown) {
  EXPECT_EQ(substitute("a {{x}} b {{y}}{{x}}", {{"x", "1"}, {"y", "2"}}, "t"), "a 1 b 21");
  EXPECT_EQ(substitute("{ {x} } {{ x }}", {}, "t"), "{ {x} } {{ x }}");  // not placeholders
  EXPECT_THROW(substitute("{{nope}}", {}, "t"), ConfigError);
  EXPECT_EQ(placeholders("{{a}} {{b}} {{a}}"), (std::vector<std::string>{"a", "b"}));
}

TEST(Prompt, SectionsExamplesLabels) {
  const std::string text =
      "# comment\n[meta]\nname: demo\nexample_separator: \\n---\\n\n[labels]\nentailment: true\n"
      "[example]\npremise: P1\nlabel: entailment\nexplanation: E1\n"
      "[example]\npremise: P2\nlabel: neutral\nexplanation: E2\n"
      "[example_format]\n{{premise}} => {{label_word}}: {{explanation}}\n"
      "[system]\nYou explain.\n[prompt]\n\n{{examples}}\nNow: {{premise}} is {{label_word}}\n\n";
  auto t = PromptTemplate::parse(text, "x/demo.txt");
  EXPECT_EQ(t.name(), "demo");
  EXPECT_EQ(t.n_examples(), 2u);
  EXPECT_EQ(t.label_word("entailment"), "true");
  EXPECT_EQ(t.label_word("neutral"), "neutral");
  EXPECT_EQ(t.render({{"premise", "P"}, {"label", "entailment"}}),
            "P1 => true: E1\n---\nP2 => neutral: E2\nNow: P is true");
  EXPECT_EQ(t.render_system({}), "You explain.");
  EXPECT_EQ(t.hash().size(), 16u);
}

TEST(Prompt, Errors) {
  EXPECT_THROW(PromptTemplate::parse("[meta]\nname: x\n", "a"), ConfigError);           // no prompt
  EXPECT_THROW(PromptTemplate::parse("hello\n[prompt]\nx\n", "a"), ConfigError);        // text before section
  EXPECT_THROW(PromptTemplate::parse("[bogus]\n[prompt]\nx\n", "a"), ConfigError);      // unknown section
  EXPECT_THROW(PromptTemplate::parse("[meta]\nkind: other\n[prompt]\nx\n", "a"), ConfigError);
  EXPECT_THROW(PromptTemplate::parse("[example]\na: 1\n[prompt]\nx\n", "a"), ConfigError);  // no example_format
  EXPECT_THROW(PromptTemplate::parse("[example]\na: 1\n[example_format]\n{{b}}\n[prompt]\nx\n", "a"), ConfigError);
}

TEST(Prompt, ShippedTemplatesLoad) {
  const char* src = std::getenv("BECAUSE_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  const std::string dir = std::string(src) + "/jobs/prompts/";
  for (const char* f : {"one_sentence.txt", "one_sentence_fewshot_esnli.txt", "one_sentence_fewshot_healthfc.txt",
                        "list_explanations.txt", "reasoning.txt", "judge_mc.txt", "judge_mc_baseline.txt"}) {
    SCOPED_TRACE(f);
    auto t = PromptTemplate::load(dir + f);
    Vars v = {{"premise", "P"}, {"hypothesis", "H"}, {"text_a", "P"}, {"text_b", "H"}, {"text", "P"},
              {"label", "neutral"}, {"comments", ""}, {"option_1", "A1"}, {"option_2", "B1"}, {"option_3", "C1"}};
    const std::string r = t.render(v);
    EXPECT_NE(r.find('P'), std::string::npos);
  }
  auto fs = PromptTemplate::load(dir + "one_sentence_fewshot_esnli.txt");
  EXPECT_EQ(fs.n_examples(), 5u);
  EXPECT_EQ(PromptTemplate::load(dir + "one_sentence_fewshot_healthfc.txt").n_examples(), 2u);
  auto list = PromptTemplate::load(dir + "list_explanations.txt");
  EXPECT_NE(list.render({{"premise", "P"}, {"hypothesis", "H"}, {"label", "neutral"}}).find("undetermined (neutral)"),
            std::string::npos);
  // The few-shot prompt states the label asked for and never another label as the answer.
  const std::string r = fs.render({{"premise", "P"}, {"hypothesis", "H"}, {"label", "contradiction"}});
  EXPECT_NE(r.rfind("Label: contradiction\nExplanation:"), std::string::npos);
}
