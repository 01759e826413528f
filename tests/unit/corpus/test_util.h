// Helpers for corpus tests: temporary files and reading a whole corpus.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "corpus/corpus.h"
#include "util/error.h"

namespace because::corpus::test {

inline std::string temp_file(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / ("because-corpus-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

inline ChunkRead read_all(const Corpus& c) {
  ChunkRead all;
  for (int64_t k = 0; k < c.n_chunks(); ++k) {
    auto r = c.read_chunk(k);
    for (auto& x : r.rows) all.rows.push_back(std::move(x));
    for (auto& b : r.bad) all.bad.push_back(std::move(b));
  }
  return all;
}

inline config::CorpusConfig cfg_for(const std::string& path, const std::string& dataset = "auto", int64_t chunk = 256) {
  config::CorpusConfig c;
  c.path = path;
  c.dataset = dataset;
  c.chunk_rows = chunk;
  return c;
}

}  // namespace because::corpus::test
