// Collective shard-set preparation (see shard_set.h).
#include "mpi/shard_set.h"

#include <sstream>

#include "store/shard.h"
#include "util/error.h"

namespace because::mpi {

std::set<int64_t> prepare_shard_set(const Comm& comm, const std::string& run_dir, const std::string& set,
                                    const std::string& config_hash, bool restart) {
  // Message: "ok <ids...>", "config <text>" or "error <text>".
  std::string msg;
  if (comm.root()) {
    try {
      std::ostringstream os;
      os << "ok";
      for (int64_t id : store::prepare_shard_set(run_dir, set, config_hash, restart)) os << ' ' << id;
      msg = os.str();
    } catch (const ConfigError& e) {
      msg = std::string("config ") + e.what();
    } catch (const std::exception& e) {
      msg = std::string("error ") + e.what();
    }
  }
  comm.bcast(msg);
  if (msg.rfind("config ", 0) == 0) throw ConfigError(msg.substr(7));
  if (msg.rfind("error ", 0) == 0) throw StoreError(msg.substr(6));
  std::set<int64_t> done;
  std::istringstream is(msg.substr(2));
  for (int64_t id; is >> id;) done.insert(id);
  return done;
}

}  // namespace because::mpi
