// Shared by the fuzz targets: the shipped policy, loaded once per process.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/policy_loader.hpp"

namespace aup::fuzz {

inline std::string source_path(const std::string& relative) {
  return std::string(AUP_SOURCE_DIR) + "/" + relative;
}

// The shipped Medway policy; the target cannot run without it, so it stops loudly.
inline std::shared_ptr<const Policy> shipped_policy() {
  LoadResult loaded = load_policy(source_path("rules/aup.json"));
  if (!loaded.policy) {
    std::fprintf(stderr, "fuzz: the shipped policy does not load\n");
    std::abort();
  }
  return loaded.policy;
}

}  // namespace aup::fuzz
