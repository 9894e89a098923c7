// Release, delete and "keep held with a note" from the web pages: the review operations of
// `aupctl quarantine`, plus the optional four-eyes rule for releases.
#pragma once

#include <string>

#include "quarantine/quarantine.hpp"
#include "web/web_settings.hpp"

namespace aup::web {

struct DecisionRequest {
  std::string id;
  std::string officer;
  std::string note;
};

struct DecisionResult {
  int http_status = 200;  // 200 done; 409 not possible now; 502/503 the relay; 500 failure
  std::string message;    // one line for the officer
};

// action: "release", "delete" or "keep". With four-eyes clauses configured, releasing an item
// held under one of them takes two different officers: the first release records an approval
// ("release-approved"), the second officer's release delivers it.
DecisionResult take_decision(const quarantine::Quarantine& quarantine, const WebConfig& config,
                             const std::string& action, const DecisionRequest& request);

}  // namespace aup::web
