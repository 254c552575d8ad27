#pragma once

#include <map>
#include <string>

namespace berth::docker {

/// A named volume to create with `POST /volumes/create`.
struct volume_spec {
  std::string name;
  std::string driver = "local";
  std::map<std::string, std::string> labels;
};

/// The fields of `GET /volumes/{name}` that Berth uses.
struct volume_info {
  std::string name;
  std::string driver;
  std::string mountpoint;
  std::string created_at;
  std::map<std::string, std::string> labels;
};

}  // namespace berth::docker
