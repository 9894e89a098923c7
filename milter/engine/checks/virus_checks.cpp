// Virus scanning (clause 4.8.1): the whole message goes to the scanner once, which decodes MIME
// and unpacks archives itself. One check reports what was found, one that no answer came.
#include <fmt/format.h>

#include "engine/checks/check_support.hpp"

namespace aup::checks {
namespace {

const ScanResult* scanned(const EvalContext& context) {
  ScanState& state = context.scan;
  if (state.scanner == nullptr) return nullptr;
  if (!state.result) state.result = state.scanner->scan(state.message);
  return &*state.result;
}

class VirusScan final : public Check {
 public:
  explicit VirusScan(ScanResult::Status reported) : reported_(reported) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"report"})) return nullptr;
    const std::string report = p.params.value("report", std::string("infected"));
    if (report != "infected" && report != "error") {
      p.errors.push_back("\"report\" is \"infected\" or \"error\"");
      return nullptr;
    }
    return std::make_unique<VirusScan>(report == "infected" ? ScanResult::Status::infected
                                                            : ScanResult::Status::error);
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const ScanResult* result = scanned(context);
    if (result == nullptr || result->status != reported_) return std::nullopt;
    return reported_ == ScanResult::Status::infected ? result->signature : result->error;
  }

 private:
  ScanResult::Status reported_;
};

}  // namespace

void add_virus_checks(Registry& registry) {
  registry.emplace("virus_scan", VirusScan::make);
}

}  // namespace aup::checks
