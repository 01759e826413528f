// Command line + INI job file parsing with errors that name the option, file and line.
#include "config/options.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "util/error.h"
#include "util/hash.h"

namespace because::config {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string section_of(const std::string& name) {
  const auto dot = name.find('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

// Stores one option; type errors become ConfigError naming `where`.
void store_one(const po::options_description& desc, po::variables_map& vm, const std::string& name,
               const std::vector<std::string>& values, const std::string& where) {
  po::parsed_options parsed(&desc);
  po::option opt;
  opt.string_key = name;
  opt.value = values;
  opt.original_tokens = values;
  parsed.options.push_back(opt);
  try {
    po::store(parsed, vm);
  } catch (const po::error& e) {
    std::string shown = values.empty() ? "" : values.front();
    throw ConfigError(where + ": invalid value '" + shown + "' for option '" + name + "': " + e.what());
  }
}

}  // namespace

void validate(boost::any& v, const std::vector<std::string>& values, List*, int) {
  List out;
  for (const auto& word : values) {
    std::string cur;
    for (char c : word + ",") {
      if (c == ',') {
        const std::string t = trim(cur);
        if (!t.empty()) out.items.push_back(t);
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  v = out;
}

Options::Options() : desc_("Options") {}

Options& Options::add_flag(const std::string& name, bool* field, const std::string& help) {
  remember(name, field, help);
  desc_.add_options()(name.c_str(),
                      po::value<bool>(field)->default_value(*field, *field ? "true" : "false")->implicit_value(true, "true"),
                      help.c_str());
  return *this;
}

void Options::expand_run_dir(const std::string& run_dir) {
  for (auto& [name, e] : entries_)
    if (e.replace && name != "run") e.replace("{run}", run_dir);
}

Options& Options::not_hashed(const std::string& name) {
  auto it = entries_.find(name);
  if (it != entries_.end()) it->second.hashed = false;
  return *this;
}

std::string Options::help(const std::vector<std::string>& sections) const {
  std::set<std::string> want(sections.begin(), sections.end());
  std::map<std::string, po::options_description> by_section;
  std::vector<std::string> section_order;
  for (const auto& name : order_) {
    const std::string sec = section_of(name);
    if (!want.empty() && !want.count(sec)) continue;
    if (!by_section.count(sec)) {
      by_section.emplace(sec, po::options_description(sec.empty() ? "General" : "[" + sec + "]", 100, 50));
      section_order.push_back(sec);
    }
    const auto* d = desc_.find_nothrow(name, false);
    if (d) by_section.at(sec).add(boost::shared_ptr<po::option_description>(new po::option_description(*d)));
  }
  std::ostringstream os;
  for (const auto& sec : section_order) os << by_section.at(sec) << "\n";
  return os.str();
}

nlohmann::json Options::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& name : order_) {
    const auto& e = entries_.at(name);
    const std::string sec = section_of(name);
    if (sec.empty()) {
      j[name] = e.json();
    } else {
      j[sec][name.substr(sec.size() + 1)] = e.json();
    }
  }
  return j;
}

std::string Options::to_ini() const {
  std::ostringstream os;
  std::string current = "\x01";
  // Top-level keys first, then sections in registration order.
  std::vector<std::string> names;
  for (const auto& n : order_) if (section_of(n).empty()) names.push_back(n);
  std::vector<std::string> secs;
  for (const auto& n : order_) {
    const auto s = section_of(n);
    if (!s.empty() && std::find(secs.begin(), secs.end(), s) == secs.end()) secs.push_back(s);
  }
  for (const auto& s : secs)
    for (const auto& n : order_) if (section_of(n) == s) names.push_back(n);
  for (const auto& name : names) {
    const std::string sec = section_of(name);
    if (sec != current) {
      if (!sec.empty()) os << (current == "\x01" ? "" : "\n") << "[" << sec << "]\n";
      current = sec;
    }
    os << (sec.empty() ? name : name.substr(sec.size() + 1)) << " = " << entries_.at(name).text() << "\n";
  }
  return os.str();
}

std::string Options::hash() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& name : order_) {
    const auto& e = entries_.at(name);
    if (e.hashed) j[name] = e.json();
  }
  return hash::hex64(hash::xxh64(j.dump()));
}

std::vector<JobEntry> read_job_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read job file (" + std::string(std::strerror(errno)) + ")");
  std::vector<JobEntry> out;
  std::map<std::string, int> seen;
  std::string line, section;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    const std::string where = path + ":" + std::to_string(n);
    if (t[0] == '[') {
      if (t.back() != ']' || t.size() < 3) throw ConfigError(where + ": malformed section header '" + t + "'");
      section = trim(t.substr(1, t.size() - 2));
      continue;
    }
    const auto eq = t.find('=');
    if (eq == std::string::npos) throw ConfigError(where + ": expected 'key = value', got '" + t + "'");
    const std::string key = trim(t.substr(0, eq));
    if (key.empty()) throw ConfigError(where + ": empty key");
    std::string value = trim(t.substr(eq + 1));
    // Trailing comments need whitespace before the marker so that values may hold '#'.
    for (const char* marker : {" #", "\t#", " ;", "\t;"}) {
      const auto c = value.find(marker);
      if (c != std::string::npos) value = trim(value.substr(0, c));
    }
    JobEntry e{section.empty() ? key : section + "." + key, value, path, n};
    if (seen.count(e.name))
      throw ConfigError(where + ": option '" + e.name + "' already set at line " + std::to_string(seen[e.name]));
    seen[e.name] = n;
    out.push_back(std::move(e));
  }
  return out;
}

ParseResult parse_command_line(const std::vector<std::string>& args, Options& opts, int n_positional_max) {
  ParseResult result;
  const auto& desc = opts.description();
  po::variables_map vm;
  std::vector<std::pair<std::string, std::vector<std::string>>> cli;  // in order

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      result.help = true;
      continue;
    }
    if (a == "--print-config") {
      result.print_config = true;
      continue;
    }
    if (a.rfind("--", 0) != 0 || a == "--") {
      if (a == "--") {
        for (size_t k = i + 1; k < args.size(); ++k) result.positional.push_back(args[k]);
        break;
      }
      result.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (name == "profile") {
      if (!has_value) {
        if (i + 1 >= args.size()) throw ConfigError("option '--profile' needs a section:profile name");
        value = args[++i];
      }
      if (value.find(':') == std::string::npos)
        throw ConfigError("--profile " + value + ": expected SECTION:NAME, e.g. train:explainer");
      result.profiles.push_back(value);
      continue;
    }
    if (name == "job") {
      if (!has_value) {
        if (i + 1 >= args.size()) throw ConfigError("option '--job' needs a job file path");
        value = args[++i];
      }
      result.job_file = value;
      continue;
    }
    const auto* d = desc.find_nothrow(name, false);
    if (!d) throw ConfigError("unknown option '--" + name + "' (see --help)");
    // Flags (options with an implicit value) take a value only as --flag=value.
    if (!has_value && d->semantic()->min_tokens() > 0) {
      if (i + 1 >= args.size()) throw ConfigError("option '--" + name + "' needs a value");
      value = args[++i];
      has_value = true;
    }
    cli.push_back({name, has_value ? std::vector<std::string>{value} : std::vector<std::string>{}});
  }
  if (n_positional_max >= 0 && static_cast<int>(result.positional.size()) > n_positional_max) {
    throw ConfigError("unexpected argument '" + result.positional[n_positional_max] + "'" +
                      (n_positional_max == 0 ? " (options start with --)" : ""));
  }
  if (result.help) return result;

  std::set<std::string> on_cli;
  for (const auto& [name, values] : cli) {
    if (on_cli.count(name)) throw ConfigError("option '--" + name + "' given twice");
    on_cli.insert(name);
    store_one(desc, vm, name, values, "command line");
  }
  if (!result.job_file.empty()) {
    const auto entries = read_job_file(result.job_file);
    // Profile sections `[section:profile]` hold variants of a section (e.g. two [train] steps of
    // a pipeline). They are validated always and applied, above the plain section and below the
    // command line, only when selected with --profile section:profile.
    std::set<std::string> selected(result.profiles.begin(), result.profiles.end());
    std::set<std::string> profiles_in_file;
    std::vector<std::pair<JobEntry, std::string>> resolved;  // entry, option name it sets
    for (const auto& e : entries) {
      const std::string where = e.file + ":" + std::to_string(e.line);
      std::string name = e.name;
      std::string profile;
      const auto colon = name.find(':');
      const auto dot = name.find('.');
      if (colon != std::string::npos && dot != std::string::npos && colon < dot) {
        profile = name.substr(0, dot);
        name = name.substr(0, colon) + name.substr(dot);
        profiles_in_file.insert(profile);
      }
      if (!desc.find_nothrow(name, false)) {
        throw ConfigError(where + ": unknown option '" + e.name + "'");
      }
      if (!profile.empty() && !selected.count(profile)) continue;
      resolved.push_back({e, profile.empty() ? name : "\x01" + name});
    }
    for (const auto& p : selected) {
      if (!profiles_in_file.count(p))
        throw ConfigError("--profile " + p + ": no section [" + p + "] in " + result.job_file);
    }
    // Profile entries first (they win over the plain section), then plain entries.
    std::set<std::string> done = on_cli;
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& [e, key] : resolved) {
        const bool is_profile = key.rfind("\x01", 0) == 0;
        if (is_profile != (pass == 0)) continue;
        const std::string name = is_profile ? key.substr(1) : key;
        if (done.count(name)) continue;
        done.insert(name);
        store_one(desc, vm, name, {e.value}, e.file + ":" + std::to_string(e.line));
      }
    }
  } else if (!result.profiles.empty()) {
    throw ConfigError("--profile " + result.profiles.front() + " needs a job file (--job FILE)");
  }
  for (const auto& name : opts.required()) {
    if (!vm.count(name) || vm[name].defaulted()) {
      const auto dot = name.find('.');
      const std::string in_job = dot == std::string::npos
          ? "'" + name + " = ...' at the top of the job file"
          : "'" + name.substr(dot + 1) + " = ...' in the job file's [" + name.substr(0, dot) + "] section";
      throw ConfigError("missing required option '--" + name + "' (give it on the command line or as " + in_job + ")");
    }
  }
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  }
  return result;
}

}  // namespace because::config
