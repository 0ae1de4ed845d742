#pragma once
// A fresh directory under the system's temporary directory, removed with its contents at scope end.
#include <filesystem>
#include <random>
#include <string>

namespace paystream::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("paystream-test-" + std::to_string(random()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& child = "") const { return (path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace paystream::testing
