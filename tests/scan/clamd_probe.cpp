// clamd_probe ADDRESS FILE [TIMEOUT_MS]: scans FILE with clamd, for the tests only.
// Prints "clean", "infected <signature>" or "error <reason>" and exits 0, 1 or 2.
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>

#include "scan/clamd_client.hpp"

namespace {

int report_error(const std::string& reason) {
  fmt::print("error {}\n", reason);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fmt::print(stderr, "usage: clamd_probe ADDRESS FILE [TIMEOUT_MS]\n");
    return 2;
  }
  const auto address = aup::parse_clamd_address(argv[1]);
  if (!address) return report_error(fmt::format("not a clamd address: {}", argv[1]));
  long long timeout_ms = 5000;
  if (argc == 4) {
    const std::string_view text = argv[3];
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), timeout_ms);
    if (ec != std::errc() || end != text.data() + text.size() || timeout_ms <= 0) {
      return report_error(fmt::format("not a timeout in milliseconds: {}", text));
    }
  }
  std::ifstream file(argv[2], std::ios::binary);
  if (!file) return report_error(fmt::format("cannot read {}", argv[2]));
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto result =
      aup::scan::scan_with_clamd(*address, bytes, std::chrono::milliseconds(timeout_ms));
  using Status = aup::ScanResult::Status;
  switch (result.status) {
    case Status::clean:
      fmt::print("clean\n");
      return 0;
    case Status::infected:
      fmt::print("infected {}\n", result.signature);
      return 1;
    case Status::error:
      break;
  }
  return report_error(result.error);
}
