// safetensors reader (mmap) and writer. Format: u64 little-endian header length N, N bytes of
// JSON {name: {dtype, shape, data_offsets:[begin,end]}, "__metadata__": {..}}, then the data.
#include "model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"

namespace because::model {

DType parse_dtype(const std::string& n) {
  if (n == "F32") return DType::kF32;
  if (n == "F16") return DType::kF16;
  if (n == "BF16") return DType::kBF16;
  if (n == "F64") return DType::kF64;
  if (n == "I64") return DType::kI64;
  if (n == "I32") return DType::kI32;
  if (n == "I8") return DType::kI8;
  if (n == "U8") return DType::kU8;
  if (n == "BOOL") return DType::kBool;
  throw ModelError("unsupported safetensors dtype '" + n + "' (supported: F32, F16, BF16, F64, I64, I32, I8, U8, BOOL)");
}

std::string dtype_name(DType d) {
  switch (d) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
    case DType::kF64: return "F64";
    case DType::kI64: return "I64";
    case DType::kI32: return "I32";
    case DType::kI8: return "I8";
    case DType::kU8: return "U8";
    case DType::kBool: return "BOOL";
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::kF64: case DType::kI64: return 8;
    case DType::kF32: case DType::kI32: return 4;
    case DType::kF16: case DType::kBF16: return 2;
    default: return 1;
  }
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot open safetensors file " + path + ": " + std::strerror(errno));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw InputError("cannot stat " + path + ": " + std::strerror(errno));
  }
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < 8) {
    ::close(fd);
    throw ModelError("safetensors file " + path + " is truncated: " + std::to_string(map_size_) +
                     " bytes, less than the 8-byte header length");
  }
  map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw InputError("cannot mmap " + path + ": " + std::strerror(errno));
  }
  try {
    const auto* base = static_cast<const unsigned char*>(map_);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | base[i];
    if (n > map_size_ - 8)
      throw ModelError("safetensors file " + path + " is truncated or not safetensors: header length " +
                       std::to_string(n) + " exceeds the file size " + std::to_string(map_size_));
    nlohmann::json h;
    try {
      h = nlohmann::json::parse(reinterpret_cast<const char*>(base + 8), reinterpret_cast<const char*>(base + 8 + n));
    } catch (const std::exception& e) {
      throw ModelError("bad safetensors header in " + path + ": " + e.what());
    }
    if (!h.is_object()) throw ModelError("bad safetensors header in " + path + ": not a JSON object");
    const size_t data_begin = 8 + n;
    const size_t data_size = map_size_ - data_begin;
    for (auto it = h.begin(); it != h.end(); ++it) {
      if (it.key() == "__metadata__") {
        if (it->is_object())
          for (auto m = it->begin(); m != it->end(); ++m)
            metadata_[m.key()] = m->is_string() ? m->get<std::string>() : m->dump();
        continue;
      }
      const auto& e = *it;
      if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets"))
        throw ModelError("bad safetensors header in " + path + ": entry '" + it.key() +
                         "' lacks dtype, shape or data_offsets");
      TensorView v;
      v.name = it.key();
      v.dtype = parse_dtype(e["dtype"].get<std::string>());
      v.shape = e["shape"].get<std::vector<int64_t>>();
      auto off = e["data_offsets"].get<std::vector<uint64_t>>();
      if (off.size() != 2 || off[0] > off[1])
        throw ModelError("bad safetensors header in " + path + ": bad data_offsets of '" + v.name + "'");
      if (off[1] > data_size)
        throw ModelError("safetensors file " + path + " is truncated: tensor '" + v.name + "' ends at byte " +
                         std::to_string(data_begin + off[1]) + " of " + std::to_string(map_size_));
      v.n_bytes = off[1] - off[0];
      if (static_cast<size_t>(v.numel()) * dtype_size(v.dtype) != v.n_bytes)
        throw ModelError("bad safetensors header in " + path + ": tensor '" + v.name + "' has " +
                         std::to_string(v.n_bytes) + " bytes, its shape and dtype need " +
                         std::to_string(v.numel() * dtype_size(v.dtype)));
      v.data = base + data_begin + off[0];
      tensors_.emplace(v.name, std::move(v));
    }
  } catch (...) {
    ::munmap(map_, map_size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(map_, map_size_);
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : tensors_) out.push_back(k);
  return out;
}

const TensorView& SafetensorsFile::get(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw ModelError("tensor '" + name + "' not found in " + path_);
  return it->second;
}

static bool is_dir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

SafetensorsSet::SafetensorsSet(const std::string& dir_or_file) : where_text_(dir_or_file) {
  std::vector<std::string> paths;
  if (!is_dir(dir_or_file)) {
    paths.push_back(dir_or_file);
  } else if (files::exists(dir_or_file + "/model.safetensors")) {
    paths.push_back(dir_or_file + "/model.safetensors");
  } else if (files::exists(dir_or_file + "/model.safetensors.index.json")) {
    const std::string index_path = dir_or_file + "/model.safetensors.index.json";
    nlohmann::json idx;
    try {
      idx = nlohmann::json::parse(files::read_text(index_path));
    } catch (const nlohmann::json::exception& e) {
      throw ModelError("bad index " + index_path + ": " + e.what());
    }
    if (!idx.contains("weight_map") || !idx["weight_map"].is_object())
      throw ModelError("bad index " + index_path + ": no weight_map object");
    std::map<std::string, size_t> shard_no;
    for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
      const auto shard = it->get<std::string>();
      if (!shard_no.count(shard)) {
        shard_no[shard] = paths.size();
        paths.push_back(dir_or_file + "/" + shard);
      }
    }
    for (const auto& p : paths) files_.push_back(std::make_unique<SafetensorsFile>(p));
    for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
      const auto* f = files_[shard_no[it->get<std::string>()]].get();
      if (!f->contains(it.key()))
        throw ModelError("tensor '" + it.key() + "' listed in " + index_path + " is missing from " + f->path());
      where_[it.key()] = f;
    }
    return;
  } else {
    throw InputError("no model.safetensors or model.safetensors.index.json in " + dir_or_file +
                     " (PyTorch .bin checkpoints are not supported: convert them with save_pretrained(safe_serialization=True))");
  }
  for (const auto& p : paths) files_.push_back(std::make_unique<SafetensorsFile>(p));
  for (const auto& f : files_)
    for (const auto& n : f->names()) where_[n] = f.get();
}

std::vector<std::string> SafetensorsSet::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : where_) out.push_back(k);
  return out;
}

const TensorView& SafetensorsSet::get(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw ModelError("tensor '" + name + "' not found in " + where_text_);
  return it->second->get(name);
}

void write_safetensors(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<const TensorView*> sorted;
  for (const auto& t : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  nlohmann::ordered_json h;
  if (!metadata.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    h["__metadata__"] = m;
  }
  uint64_t off = 0;
  for (const auto* t : sorted) {
    if (static_cast<size_t>(t->numel()) * dtype_size(t->dtype) != t->n_bytes)
      throw ModelError("write_safetensors: tensor '" + t->name + "' has inconsistent size");
    h[t->name] = {{"dtype", dtype_name(t->dtype)}, {"shape", t->shape}, {"data_offsets", {off, off + t->n_bytes}}};
    off += t->n_bytes;
  }
  std::string header = h.dump();
  while ((8 + header.size()) % 8 != 0) header.push_back(' ');
  std::string out;
  out.reserve(8 + header.size() + off);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += header;
  for (const auto* t : sorted) out.append(static_cast<const char*>(t->data), t->n_bytes);
  files::write_atomic(path, out);
}

}  // namespace because::model
