#include "engine/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include "util/error.h"

namespace reclift::host::engine {
namespace fs = std::filesystem;
namespace {

std::string Stamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

int TakeLock(const fs::path& dir) {
  const fs::path file = dir / ".lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot open the lock file " + file.string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::ifstream in(file);
    std::string owner;
    std::getline(in, owner);
    ::close(fd);
    throw Error("the run folder " + dir.string() + " is in use by another run (" +
                (owner.empty() ? std::string("unknown owner") : owner) + ")");
  }
  const std::string owner = "pid " + std::to_string(::getpid()) + " on host " + HostName() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, owner.data(), owner.size(), 0) < 0) {
    // the lock itself holds; the owner text is only for people
  }
  return fd;
}

}  // namespace

std::string HostName() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

RunFolder::RunFolder(fs::path dir) : dir_(std::move(dir)) {}

RunFolder::RunFolder(RunFolder&& o) noexcept : dir_(std::move(o.dir_)), lock_fd_(o.lock_fd_) {
  o.lock_fd_ = -1;
}

RunFolder::~RunFolder() {
  if (lock_fd_ >= 0) {
    std::error_code ec;
    fs::remove(dir_ / ".lock", ec);
    ::close(lock_fd_);
  }
}

RunFolder RunFolder::Create(const fs::path& root, const fs::path& dir) {
  fs::path d = dir;
  std::error_code ec;
  if (d.empty()) {
    const std::string stamp = Stamp();
    d = root / stamp;
    for (int n = 2; fs::exists(d); ++n) d = root / (stamp + "-" + std::to_string(n));
  }
  fs::create_directories(d / "cells", ec);
  if (ec) throw Error("cannot create the run folder " + d.string() + ": " + ec.message());
  RunFolder f(d);
  f.lock_fd_ = TakeLock(d);
  return f;
}

RunFolder RunFolder::Resume(const fs::path& dir) {
  std::error_code ec;
  const fs::path d = fs::weakly_canonical(dir, ec);
  if (!fs::is_directory(d)) throw Error("--resume: no run folder " + dir.string());
  if (!fs::is_directory(d / "cells")) {
    throw Error("--resume: " + dir.string() + " is not a run folder of this version (no cells/ inside)");
  }
  RunFolder f(d);
  f.lock_fd_ = TakeLock(d);
  // what a killed run was writing when it died (never renamed into place)
  for (const auto& entry : fs::directory_iterator(d / "cells", ec)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(entry.path(), ec);
  }
  return f;
}

std::map<std::string, StoredCell> ScanCellStore(const fs::path& cells_dir) {
  std::map<std::string, StoredCell> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cells_dir, ec)) {
    if (entry.path().extension() != ".cell") continue;
    const auto head = ReadCellHeader(entry.path());  // the per-user values are read when reused
    if (!head || !head->contains("key_parts") || !head->contains("ok")) continue;
    out[entry.path().stem().string()] = {entry.path(), (*head)["key_parts"], (*head)["ok"].get<bool>()};
  }
  return out;
}

void PointLatest(const fs::path& run_dir) {
  const fs::path link = run_dir.parent_path() / "latest";
  const fs::path tmp = run_dir.parent_path() / (".latest-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(run_dir.filename(), tmp, ec);
  if (!ec) fs::rename(tmp, link, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace reclift::host::engine
