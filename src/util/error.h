// The error hierarchy of `because`: library code throws these; `main` turns them into messages
// and exit codes (ConfigError -> 2, everything else -> 1).
#pragma once

#include <stdexcept>
#include <string>

namespace because {

/// Base of every error `because` throws on purpose. The message is user-facing: it names the
/// file, line, option or value at fault and, where possible, what to do next.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// Bad command line, job file or option value (exit status 2).
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// Unreadable or malformed input file (corpus, model, tokenizer, explanation import).
class InputError : public Error {
 public:
  using Error::Error;
};

/// HDF5 store failure; the message carries the HDF5 error stack.
class StoreError : public Error {
 public:
  using Error::Error;
};

/// Generation backend failure at run level (not an item-level error).
class BackendError : public Error {
 public:
  using Error::Error;
};

/// Model directory, config.json or weights that cannot be loaded exactly.
class ModelError : public Error {
 public:
  using Error::Error;
};

/// A stage stopped because SIGUSR1/SIGTERM/SIGINT asked it to; the run can be resumed.
class Interrupted : public Error {
 public:
  using Error::Error;
};

/// Throws `E(message + ": " + strerror(errno))` when `ok` is false. For checked C calls.
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace because
