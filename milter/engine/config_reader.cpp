// Typed configuration reads, each problem reported where it is.
#include "engine/config_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "engine/addresses.hpp"

namespace aup {
namespace {

bool valid_host_port(const std::string& value) {
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string port = value.substr(colon + 1);
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         std::stoul(port) > 0 && std::stoul(port) < 65536;
}

}  // namespace

const nlohmann::json* ConfigReader::at(const std::string& pointer) const {
  const nlohmann::json::json_pointer path(pointer);
  return file_.json.contains(path) ? &file_.json.at(path) : nullptr;
}

std::string ConfigReader::text(const std::string& pointer, const std::string& fallback) {
  const nlohmann::json* value = at(pointer);
  if (value == nullptr) return fallback;
  if (value->is_string()) return value->get<std::string>();
  error(pointer, "must be a string");
  return fallback;
}

std::vector<std::string> ConfigReader::strings(const std::string& pointer) {
  std::vector<std::string> out;
  const nlohmann::json* value = at(pointer);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    error(pointer, "must be an array of strings");
    return out;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    if ((*value)[i].is_string()) {
      out.push_back((*value)[i].get<std::string>());
    } else {
      error(fmt::format("{}/{}", pointer, i), "must be a string");
    }
  }
  return out;
}

std::vector<std::string> ConfigReader::lowered(const std::string& pointer) {
  std::vector<std::string> out = strings(pointer);
  for (std::string& item : out)
    item = to_lower_ascii(item);
  return out;
}

void ConfigReader::boolean(const std::string& pointer, bool& target) {
  const nlohmann::json* value = at(pointer);
  if (value == nullptr) return;
  if (value->is_boolean()) {
    target = value->get<bool>();
  } else {
    error(pointer, "must be true or false");
  }
}

bool ConfigReader::object_at(const std::string& pointer,
                             std::initializer_list<std::string_view> keys) {
  const nlohmann::json* value = at(pointer);
  if (value == nullptr) return false;
  if (!value->is_object()) {
    error(pointer, "must be an object");
    return false;
  }
  report_unknown_keys(file_, *value, pointer, "", keys, sink_);
  return true;
}

std::string ConfigReader::beside_config(const std::string& name) const {
  const std::filesystem::path path(name);
  if (name.empty() || path.is_absolute()) return name;
  return (std::filesystem::path(file_.path).parent_path() / path).lexically_normal().string();
}

void ConfigReader::check_host_port(const std::string& pointer, const std::string& value,
                                   std::string_view example) {
  if (!valid_host_port(value)) {
    error(pointer, fmt::format("\"{}\" is not HOST:PORT, such as {}", value, example));
  }
}

void ConfigReader::error(const std::string& pointer, std::string message) {
  sink_.error(file_, pointer, "", std::move(message));
}

}  // namespace aup
