// Typed options bound to Config fields, parsed from the command line and INI job files with
// Boost.Program_options. The command line overrides the job file; every error names the option,
// and for job files the file and line. The resolved values can be printed and hashed.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <sstream>
#include <type_traits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace because::config {

namespace po = boost::program_options;

/// Renders a field value as job-file text and as JSON.
template <class T>
struct ValueTraits;

class Options {
 public:
  Options();

  /// Binds option `name` ("section.key") to `*field`, whose current value is the default.
  template <class T>
  Options& add(const std::string& name, T* field, const std::string& help);
  /// Like add, but the option must be given (no default shown; parse fails without it).
  template <class T>
  Options& add_required(const std::string& name, T* field, const std::string& help);
  /// A boolean that is true when given bare (`--strict`) or `--strict=false` / `strict = no`.
  Options& add_flag(const std::string& name, bool* field, const std::string& help);
  /// Excludes an option from the config hash (logging, thread counts, paths of the run itself).
  Options& not_hashed(const std::string& name);

  const po::options_description& description() const { return desc_; }
  /// Help text for the options of the given sections (all when empty).
  std::string help(const std::vector<std::string>& sections) const;
  /// Resolved values as JSON {"section": {"key": value}}.
  nlohmann::json to_json() const;
  /// Resolved values as an INI job file.
  std::string to_ini() const;
  /// xxh64 hex of the canonical JSON of the hashed options.
  std::string hash() const;
  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  /// Replaces `{run}` in every string option by `run_dir`, so a job file can name files of the
  /// run directory given on the command line (`model.path = {run}/models/explainer`).
  void expand_run_dir(const std::string& run_dir);
  const std::vector<std::string>& required() const { return required_; }

 private:
  struct Entry {
    std::string help;
    bool hashed = true;
    std::function<nlohmann::json()> json;
    std::function<std::string()> text;
    std::function<void(const std::string&, const std::string&)> replace;  ///< string fields only
  };
  template <class T>
  void remember(const std::string& name, T* field, const std::string& help);
  po::options_description desc_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;
  std::vector<std::string> required_;
};

/// One `key = value` of a job file, with where it came from.
struct JobEntry {
  std::string name;   ///< "section.key"
  std::string value;
  std::string file;
  int line = 0;
};

/// Reads an INI job file: `[section]` headers, `key = value`, `#`/`;` comments. Keys before any
/// section are top-level. Duplicate keys and malformed lines throw ConfigError with file:line.
std::vector<JobEntry> read_job_file(const std::string& path);

/// What parse_command_line found besides option values.
struct ParseResult {
  bool help = false;          ///< --help was given
  bool print_config = false;  ///< --print-config was given
  std::string job_file;       ///< --job value, empty if none
  std::vector<std::string> profiles;  ///< --profile SECTION:NAME values (job-file variants)
  std::vector<std::string> positional;
};

/// Parses `args` (the words after the command name) into the fields bound in `opts`.
/// `--job FILE`, `--profile SECTION:NAME`, `--help`, `--print-config` are handled here.
/// A job file section `[train:explainer]` is a variant of `[train]`: its keys apply (over plain
/// `[train]` keys, under the command line) only with `--profile train:explainer`. `n_positional_max` bounds the
/// number of positional words (-1: any). Throws ConfigError on any error.
ParseResult parse_command_line(const std::vector<std::string>& args, Options& opts,
                               int n_positional_max = 0);

// ---- implementation of the templates ------------------------------------------------------

template <>
struct ValueTraits<std::string> {
  static nlohmann::json json(const std::string& v) { return v; }
  static std::string text(const std::string& v) { return v; }
};
template <>
struct ValueTraits<bool> {
  static nlohmann::json json(bool v) { return v; }
  static std::string text(bool v) { return v ? "true" : "false"; }
};
/// A comma-separated list option: `--reduce.groups=a,b` or `groups = a, b` in a job file.
struct List {
  std::vector<std::string> items;
  bool operator==(const List& o) const { return items == o.items; }
};
/// Boost.Program_options validator for List (found by argument-dependent lookup).
void validate(boost::any& v, const std::vector<std::string>& values, List*, int);

template <>
struct ValueTraits<List> {
  static nlohmann::json json(const List& v) { return v.items; }
  static std::string text(const List& v) {
    std::string s;
    for (size_t i = 0; i < v.items.size(); ++i) s += (i ? "," : "") + v.items[i];
    return s;
  }
};
template <class T>
struct ValueTraits {
  static nlohmann::json json(const T& v) { return v; }
  static std::string text(const T& v) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
  }
};

template <class T>
void Options::remember(const std::string& name, T* field, const std::string& help) {
  Entry e;
  e.help = help;
  e.json = [field] { return ValueTraits<T>::json(*field); };
  e.text = [field] { return ValueTraits<T>::text(*field); };
  if constexpr (std::is_same_v<T, std::string>) {
    e.replace = [field](const std::string& from, const std::string& to) {
      for (size_t p = field->find(from); p != std::string::npos; p = field->find(from, p + to.size()))
        field->replace(p, from.size(), to);
    };
  }
  entries_[name] = std::move(e);
  order_.push_back(name);
}

template <class T>
Options& Options::add(const std::string& name, T* field, const std::string& help) {
  remember(name, field, help);
  desc_.add_options()(name.c_str(),
                      po::value<T>(field)->default_value(*field, ValueTraits<T>::text(*field)),
                      help.c_str());
  return *this;
}

template <class T>
Options& Options::add_required(const std::string& name, T* field, const std::string& help) {
  remember(name, field, help);
  required_.push_back(name);
  desc_.add_options()(name.c_str(), po::value<T>(field), (help + " (required)").c_str());
  return *this;
}

}  // namespace because::config
