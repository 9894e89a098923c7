#include "daemon/quarantine_service.hpp"

#include <fmt/format.h>
#include <syslog.h>

#include "daemon/log_line.hpp"

namespace aup::daemon {
namespace {

constexpr size_t kMaxPendingNotices = 1000;

// The longest the daemon waits for an index locked by a reviewer's tool (or for another of its
// threads), per operation. A held message is stored before it is indexed, so giving up only
// delays the index entry (the next reconcile makes it); the MTA gets its answer well within
// its milter timeouts even when many held messages arrive at once.
constexpr std::chrono::milliseconds kDaemonIndexWait{2000};

}  // namespace

QuarantineService::~QuarantineService() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
}

std::shared_ptr<const quarantine::Quarantine> QuarantineService::open(
    const QuarantineSettings& settings) {
  const std::lock_guard lock(mutex_);
  const std::string place = settings.directory + '\0' + quarantine::index_path(settings);
  if (const auto found = open_.find(place); found != open_.end()) return found->second;
  auto opened = std::make_shared<const quarantine::Quarantine>(
      settings, quarantine::Quarantine::Create::yes, kDaemonIndexWait);
  const size_t recovered = opened->reconcile();
  if (recovered > 0) {
    LogLine(LOG_WARNING, "quarantine: indexed stored items the index lacked")
        .add("directory", settings.directory)
        .add("items", recovered)
        .send();
  }
  open_.emplace(place, opened);
  return opened;
}

void QuarantineService::send_later(std::shared_ptr<const quarantine::Quarantine> quarantine,
                                   std::string item_id, quarantine::SmtpSubmission notice) {
  {
    const std::lock_guard lock(mutex_);
    if (notices_.size() >= kMaxPendingNotices) {
      LogLine(LOG_WARNING, "sender notice dropped: too many pending")
          .add("quarantine_id", item_id)
          .send();
      return;
    }
    notices_.push_back({std::move(quarantine), std::move(item_id), std::move(notice)});
    if (!sender_.joinable()) sender_ = std::thread([this] { send_notices(); });
  }
  wake_.notify_one();
}

void QuarantineService::send_notices() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !notices_.empty(); });
    if (stopping_) return;
    PendingNotice pending = std::move(notices_.front());
    notices_.pop_front();
    lock.unlock();
    const quarantine::SmtpOutcome sent = quarantine::submit_by_smtp(pending.notice);
    const std::string detail =
        fmt::format("to {}: {}", pending.notice.recipients.front(), sent.reply);
    LogLine(sent.delivered ? LOG_INFO : LOG_WARNING,
            sent.delivered ? "sender notice sent" : "sender notice failed")
        .add("quarantine_id", pending.item_id)
        .add("detail", detail)
        .send();
    try {
      pending.quarantine->index().append_audit(
          {quarantine::now_rfc3339(), pending.item_id, quarantine::kDaemonActor,
           sent.delivered ? "notice-sent" : "notice-failed", detail});
    } catch (const std::exception& error) {
      LogLine(LOG_ERR, "quarantine index: notice not recorded")
          .add("quarantine_id", pending.item_id)
          .add("error", error.what())
          .send();
    }
    lock.lock();
  }
}

}  // namespace aup::daemon
