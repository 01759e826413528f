// safetensors files: a memory-mapped reader (single file or sharded with
// model.safetensors.index.json) and a writer. No torch here; model/weights.h converts to tensors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace because::model {

enum class DType { kF32, kF16, kBF16, kF64, kI64, kI32, kI8, kU8, kBool };

/// "F32", "F16", "BF16", ... as written in safetensors headers; throws ModelError otherwise.
DType parse_dtype(const std::string& name);
std::string dtype_name(DType d);
size_t dtype_size(DType d);

/// A tensor inside a mapped file (borrowed: valid while its SafetensorsFile lives).
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t n_bytes = 0;
  [[nodiscard]] int64_t numel() const;
};

/// One memory-mapped .safetensors file. Throws ModelError naming the file for a truncated
/// file, a bad header, offsets out of range or shape/dtype/size mismatches.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::vector<std::string> names() const;  ///< sorted
  [[nodiscard]] bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  /// Throws ModelError "tensor NAME not found in FILE".
  [[nodiscard]] const TensorView& get(const std::string& name) const;
  [[nodiscard]] const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

/// Every tensor of a model directory: model.safetensors, or the shards listed in
/// model.safetensors.index.json (each mapped once). Also accepts a single .safetensors path.
class SafetensorsSet {
 public:
  explicit SafetensorsSet(const std::string& dir_or_file);
  [[nodiscard]] std::vector<std::string> names() const;  ///< sorted, all shards
  [[nodiscard]] bool contains(const std::string& name) const { return where_.count(name) != 0; }
  /// Throws ModelError "tensor NAME not found in DIR".
  [[nodiscard]] const TensorView& get(const std::string& name) const;

 private:
  std::string where_text_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*> where_;
};

/// Writes tensors (data copied from the views) to `path` atomically (temp file + rename), with
/// the header sorted by name and 8-byte aligned as the safetensors format requires.
void write_safetensors(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace because::model
