#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace berth::docker {

/// The fields of `GET /images/{name}/json` that Berth uses.
struct image_info {
  std::string id;
  std::vector<std::string> repo_tags;
  std::string created;
  std::int64_t size = 0;
  std::string architecture;
  std::string os;
  std::map<std::string, std::string> labels;
};

/// Where an imported root filesystem goes: `POST /images/create?fromSrc=-&repo=...&tag=...`.
struct image_import {
  std::string repository;
  std::string tag = "latest";
  std::string message;  ///< Commit message recorded in the image history.
};

}  // namespace berth::docker
