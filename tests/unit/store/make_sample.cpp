// Writes a small store for the Python reader test: store_make_sample PATH.
#include <cstdio>

#include "store/update.h"
#include "store_test_util.h"

using namespace because::store;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto c = synth::synth_chunk(0, 30, 2);
  c.instances[1].text_a = "";
  c.instances[2].text_a = "Ünïcödé 日本語 🙂";
  std::vector<Explanation> ex = human_explanations(c.instances);
  for (auto& e : c.explanations) ex.push_back(e);
  StoreInfo info;
  info.label_set = "nli";
  info.labels = synth::nli();
  create_store(argv[1], info, c.instances, ex);
  return 0;
}
