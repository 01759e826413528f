// Sentencepiece .model files through libsentencepiece (Llama 2 tokenizer.model, Mistral's
// tokenizer.model.v3): the reference implementation of sentencepiece's own BPE/unigram.
#include <sentencepiece_processor.h>

#include "text/hf_tokenizer.h"
#include "util/error.h"

namespace because::text {
namespace {

class SpTokenizer : public Tokenizer {
 public:
  SpTokenizer(const std::string& path, bool add_bos, bool add_eos) : add_bos_(add_bos), add_eos_(add_eos) {
    const auto st = sp_.Load(path);
    if (!st.ok()) throw InputError("cannot load sentencepiece model " + path + ": " + st.ToString());
    special_.bos = sp_.bos_id();
    special_.eos = sp_.eos_id();
    special_.unk = sp_.unk_id();
    special_.pad = sp_.pad_id();
  }
  std::string kind() const override { return "sentencepiece-model"; }
  int32_t vocab_size() const override { return sp_.GetPieceSize(); }
  std::string id_to_token(int32_t id) const override {
    return id >= 0 && id < sp_.GetPieceSize() ? sp_.IdToPiece(id) : "";
  }
  std::optional<int32_t> token_to_id(std::string_view token) const override {
    const int id = sp_.PieceToId(std::string(token));
    if (id == sp_.unk_id() && token != sp_.IdToPiece(sp_.unk_id())) return std::nullopt;
    return id;
  }
  bool is_special(int32_t id) const override { return sp_.IsControl(id) || sp_.IsUnknown(id); }

  std::vector<int32_t> raw(std::string_view text) const {
    std::vector<int> ids;
    const auto st = sp_.Encode(std::string(text), &ids);
    if (!st.ok()) throw InputError("sentencepiece encode failed: " + st.ToString());
    return {ids.begin(), ids.end()};
  }
  Encoding encode_full(std::string_view text, bool add_special) const override {
    Encoding e;
    if (add_special && add_bos_ && special_.bos >= 0) e.ids.push_back(special_.bos);
    for (auto id : raw(text)) e.ids.push_back(id);
    if (add_special && add_eos_ && special_.eos >= 0) e.ids.push_back(special_.eos);
    e.type_ids.assign(e.ids.size(), 0);
    for (auto id : e.ids) e.tokens.push_back(id_to_token(id));
    return e;
  }
  Encoding encode_pair(std::string_view a, std::string_view b, bool add_special) const override {
    Encoding e = encode_full(a, add_special), f = encode_full(b, add_special);
    e.ids.insert(e.ids.end(), f.ids.begin(), f.ids.end());
    e.tokens.insert(e.tokens.end(), f.tokens.begin(), f.tokens.end());
    e.type_ids.insert(e.type_ids.end(), f.ids.size(), 1);
    return e;
  }
  std::string decode(const std::vector<int32_t>& ids, bool skip_special) const override {
    std::vector<int> keep;
    for (auto id : ids)
      if (!(skip_special && is_special(id))) keep.push_back(id);
    std::string out;
    const auto st = sp_.Decode(keep, &out);
    if (!st.ok()) throw InputError("sentencepiece decode failed: " + st.ToString());
    return out;
  }

 private:
  sentencepiece::SentencePieceProcessor sp_;
  bool add_bos_, add_eos_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_sentencepiece(const std::string& path, bool add_bos, bool add_eos) {
  return std::make_unique<SpTokenizer>(path, add_bos, add_eos);
}

}  // namespace because::text
