// The daemon's side of the quarantine: the open store and index for the policy in force
// (reopened when a reload changes where they are), and a background sender of notices, so
// that no SMTP conversation of ours runs inside the MTA's.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "quarantine/quarantine.hpp"
#include "quarantine/smtp_client.hpp"

namespace aup::daemon {

class QuarantineService {
 public:
  QuarantineService() = default;
  ~QuarantineService();
  QuarantineService(const QuarantineService&) = delete;
  QuarantineService& operator=(const QuarantineService&) = delete;

  // The quarantine these settings name (directory and index), opened once and shared: old and
  // new policies in flight around a reload each find theirs. Throws when it cannot be opened
  // (the caller tempfails, a reload keeps the old policy).
  std::shared_ptr<const quarantine::Quarantine> open(const QuarantineSettings& settings);

  // Queues a notice for the background sender; the outcome goes to the item's audit trail.
  void send_later(std::shared_ptr<const quarantine::Quarantine> quarantine, std::string item_id,
                  quarantine::SmtpSubmission notice);

 private:
  struct PendingNotice {
    std::shared_ptr<const quarantine::Quarantine> quarantine;
    std::string item_id;
    quarantine::SmtpSubmission notice;
  };
  void send_notices();

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const quarantine::Quarantine>> open_;
  std::condition_variable wake_;
  std::deque<PendingNotice> notices_;
  bool stopping_ = false;
  std::thread sender_;
};

}  // namespace aup::daemon
