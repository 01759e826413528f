// Small file helpers: whole-file reads with clear errors, atomic writes (temp + fsync + rename).
#pragma once

#include <string>

namespace because::files {

/// Reads a whole file; throws InputError naming the path.
std::string read_text(const std::string& path);
/// Writes `content` to `path` atomically: PATH.tmp.PID, fsync, rename, fsync of the directory.
void write_atomic(const std::string& path, const std::string& content);
/// mkdir -p; throws Error naming the path.
void make_dirs(const std::string& path);
bool exists(const std::string& path);
/// rm -rf: removes `path` and everything under it (links are removed, not followed); nothing when
/// it does not exist; throws Error naming the first path that cannot be removed. Used instead of
/// std::filesystem::remove_all, which the PyTorch wheel's libtorch.so exports in a broken copy
/// that a CUDA build linked against it would call.
void remove_tree(const std::string& path);

}  // namespace because::files
