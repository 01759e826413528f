// Atomic training checkpoints (see checkpoint.h).
#include "train/checkpoint.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "util/error.h"
#include "util/files.h"

namespace because::train {
namespace fs = std::filesystem;

nlohmann::json LoopState::to_json() const {
  return {{"step", step}, {"epoch", epoch}, {"batch", batch}, {"done", done}, {"best_metric", best_metric},
          {"best_value", best_value}, {"best_step", best_step}, {"fingerprint", fingerprint},
          {"loss_scale", loss_scale}, {"loss_scale_clean", loss_scale_clean}};
}

LoopState LoopState::from_json(const nlohmann::json& j) {
  LoopState s;
  s.step = j.at("step");
  s.epoch = j.at("epoch");
  s.batch = j.at("batch");
  s.done = j.at("done");
  s.best_metric = j.at("best_metric");
  s.best_value = j.at("best_value");
  s.best_step = j.at("best_step");
  s.fingerprint = j.at("fingerprint");
  s.loss_scale = j.value("loss_scale", 0.0);
  s.loss_scale_clean = j.value("loss_scale_clean", int64_t{0});
  return s;
}

namespace {

void fsync_path(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return;
  ::fsync(fileno(f));
  std::fclose(f);
}

}  // namespace

void save_tensors(const std::string& path, const NamedTensors& tensors) {
  torch::serialize::OutputArchive ar;
  for (const auto& [name, t] : tensors) ar.write(name, t.detach().to(torch::kCPU));
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ar.save_to(tmp);
  fsync_path(tmp);
  fs::rename(tmp, path);
}

void load_tensors(const std::string& path, const NamedTensors& tensors) {
  if (!files::exists(path)) throw ModelError(path + ": no such checkpoint file");
  torch::serialize::InputArchive ar;
  ar.load_from(path);
  torch::NoGradGuard no_grad;
  for (const auto& [name, t] : tensors) {
    torch::Tensor v;
    if (!ar.try_read(name, v)) throw ModelError(path + ": checkpoint has no tensor '" + name + "'");
    if (v.sizes() != t.sizes())
      throw ModelError(path + ": tensor '" + name + "' has shape " + c10::str(v.sizes()) + ", the model expects " +
                       c10::str(t.sizes()));
    t.copy_(v);
  }
}

void save_checkpoint(const std::string& dir, const NamedTensors& state, torch::optim::Optimizer& opt,
                     const LoopState& loop, int keep) {
  files::make_dirs(dir);
  char name[64];
  std::snprintf(name, sizeof name, "step-%09lld", static_cast<long long>(loop.step));
  const std::string final_dir = dir + "/" + name;
  const std::string tmp = dir + "/." + name + ".tmp." + std::to_string(::getpid());
  files::remove_tree(tmp);
  files::make_dirs(tmp);
  save_tensors(tmp + "/model.pt", state);
  {
    torch::serialize::OutputArchive ar;
    opt.save(ar);
    ar.save_to(tmp + "/optimizer.pt");
    fsync_path(tmp + "/optimizer.pt");
  }
  files::write_atomic(tmp + "/state.json", loop.to_json().dump(2) + "\n");
  files::remove_tree(final_dir);
  fs::rename(tmp, final_dir);
  files::write_atomic(dir + "/latest", std::string(name) + "\n");
  // Prune older step directories.
  std::vector<std::string> steps;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory() && n.rfind("step-", 0) == 0) steps.push_back(n);
  }
  std::sort(steps.begin(), steps.end());
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i) files::remove_tree(dir + "/" + steps[i]);
}

std::optional<LoopState> load_checkpoint(const std::string& dir, const NamedTensors& state,
                                         torch::optim::Optimizer& opt) {
  const std::string latest = dir + "/latest";
  if (!files::exists(latest)) return std::nullopt;
  std::string name = files::read_text(latest);
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  const std::string d = dir + "/" + name;
  LoopState s;
  try {
    s = LoopState::from_json(nlohmann::json::parse(files::read_text(d + "/state.json")));
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(d + "/state.json: malformed checkpoint state (" + std::string(e.what()) + ")");
  }
  load_tensors(d + "/model.pt", state);
  torch::serialize::InputArchive ar;
  const torch::Device device = state.empty() ? torch::Device(torch::kCPU) : state.front().second.device();
  ar.load_from(d + "/optimizer.pt", device);
  opt.load(ar);
  return s;
}

}  // namespace because::train
