// apply_verdict is the one place a Verdict becomes libmilter calls. unit_tests is linked with
// --wrap for the five smfi_* calls it makes, so each case sees exactly which calls a verdict
// produced, in order, and can make any of them fail. (The same paths against real MTAs run in
// the miltertest and Postfix tests; this is where every action and failure is pinned down.)
#include <libmilter/mfapi.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/quarantine_service.hpp"
#include "daemon/verdict_actions.hpp"
#include "test_helpers.hpp"

namespace {

struct FakeMilter {
  std::vector<std::string> calls;
  std::string failing;  // the call that returns MI_FAILURE ("" for none)

  int record(const std::string& call) {
    calls.push_back(call);
    return call.starts_with(failing) && !failing.empty() ? MI_FAILURE : MI_SUCCESS;
  }
};

FakeMilter milter;

std::string text_of(const char* value) {
  return value != nullptr ? value : "(null)";
}

}  // namespace

extern "C" {
int __wrap_smfi_setreply(SMFICTX* /*ctx*/, char* code, char* xcode, char* text) {
  return milter.record("setreply " + text_of(code) + " " + text_of(xcode) + " " + text_of(text));
}
int __wrap_smfi_chgheader(SMFICTX* /*ctx*/, char* name, int index, char* value) {
  return milter.record("chgheader " + text_of(name) + " " + std::to_string(index) + " " +
                       text_of(value));
}
int __wrap_smfi_addheader(SMFICTX* /*ctx*/, char* name, char* value) {
  return milter.record("addheader " + text_of(name) + " " + text_of(value));
}
int __wrap_smfi_replacebody(SMFICTX* /*ctx*/, unsigned char* body, int length) {
  return milter.record("replacebody " + std::string(reinterpret_cast<const char*>(body),
                                                    static_cast<size_t>(length)));
}
int __wrap_smfi_quarantine(SMFICTX* /*ctx*/, char* reason) {
  return milter.record("quarantine " + text_of(reason));
}
}

namespace {

using namespace aup;
using Calls = std::vector<std::string>;

struct Applied {
  sfsistat result;
  Calls calls;
  std::string quarantine_id;
};

class VerdictFixture {
 public:
  explicit VerdictFixture(const std::string& mode = "store")
      : config_(
            daemon::load_daemon_config(
                test::write_policy(dir_, "[]",
                                   R"("quarantine": {"mode": ")" + mode + R"(", "directory": ")" +
                                       (dir_.path() / "held").string() + R"("}, )"))
                .config) {
    REQUIRE(config_);
    state.config = config_;
    state.queue_id = "4Xyz1";
    state.message.raw = "From: jo@medway.gov.uk\r\nSubject: s\r\n\r\nbody\r\n";
    state.message.envelope.sender = "jo@medway.gov.uk";
    state.message.envelope.recipients = {"a@example.org"};
  }

  Applied apply(const Verdict& verdict, const std::string& failing = "") {
    milter = FakeMilter{{}, failing};
    Applied out{};
    out.result = daemon::apply_verdict(nullptr, verdict, state, quarantines_, out.quarantine_id);
    out.calls = milter.calls;
    return out;
  }

  size_t held_files() const {
    size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path() / "held"))
      count += entry.is_regular_file() && entry.path().extension() == ".eml" ? 1 : 0;
    return count;
  }

  daemon::MessageState state;

 private:
  test::TempDir dir_;
  std::shared_ptr<const daemon::DaemonConfig> config_;
  daemon::QuarantineService quarantines_;
};

Verdict outbound(Action action) {
  Verdict verdict;
  verdict.direction = Direction::outbound;
  verdict.action = action;
  return verdict;
}

const std::string kTempfailReply =
    "setreply 451 4.7.1 Message could not be processed; please try again later";

}  // namespace

TEST_CASE("apply_verdict: inbound mail is accepted untouched", "[verdict_actions]") {
  VerdictFixture fixture;
  Verdict verdict = outbound(Action::reject);
  verdict.direction = Direction::inbound;
  const Applied applied = fixture.apply(verdict);
  CHECK(applied.result == SMFIS_ACCEPT);
  CHECK(applied.calls.empty());
}

TEST_CASE("apply_verdict: reject and tempfail reply with the verdict's code and clause",
          "[verdict_actions]") {
  VerdictFixture fixture;
  Verdict reject = outbound(Action::reject);
  reject.reply = Reply{"550", "5.7.1", "Rejected: 100% chain letter (AUP clause 4.7.1)"};
  const Applied rejected = fixture.apply(reject);
  CHECK(rejected.result == SMFIS_REJECT);
  CHECK(rejected.calls ==
        Calls{"setreply 550 5.7.1 Rejected: 100%% chain letter (AUP clause 4.7.1)"});

  Verdict tempfail = outbound(Action::tempfail);
  tempfail.reply = Reply{"451", "4.7.1", "Could not scan for viruses (AUP clause 4.8.1)"};
  const Applied deferred = fixture.apply(tempfail);
  CHECK(deferred.result == SMFIS_TEMPFAIL);
  CHECK(deferred.calls ==
        Calls{"setreply 451 4.7.1 Could not scan for viruses (AUP clause 4.8.1)"});

  // A refusal without its reply is the daemon's own tempfail, never a bare 5xx.
  const Applied bare = fixture.apply(outbound(Action::reject));
  CHECK(bare.result == SMFIS_TEMPFAIL);
  CHECK(bare.calls == Calls{kTempfailReply});

  // libmilter refusing the text keeps the code class: the MTA's own 5xx text goes out.
  const Applied refused = fixture.apply(reject, "setreply");
  CHECK(refused.result == SMFIS_REJECT);
}

TEST_CASE("apply_verdict: accept and tag strip incoming X-AUP fields, then add ours",
          "[verdict_actions]") {
  VerdictFixture fixture;
  fixture.state.own_header_occurrences = {{"X-AUP-Tag", 1}, {"X-AUP-Tag", 2}};
  for (const Action action : {Action::accept, Action::tag}) {
    Verdict verdict = outbound(action);
    verdict.add_headers = {{"X-AUP-Tag", "personal; clause 2.2"}};
    fixture.state.header_leading_space = false;
    const Applied applied = fixture.apply(verdict);
    CHECK(applied.result == SMFIS_ACCEPT);
    // Last first, so that the indexes of those still to go stay right.
    CHECK(applied.calls == Calls{"chgheader X-AUP-Tag 2 (null)", "chgheader X-AUP-Tag 1 (null)",
                                 "addheader X-AUP-Tag personal; clause 2.2"});
    CHECK(applied.quarantine_id.empty());
  }
  // With SMFIP_HDR_LEADSPC the space after the colon is ours to give.
  fixture.state.own_header_occurrences.clear();
  fixture.state.header_leading_space = true;
  Verdict tagged = outbound(Action::tag);
  tagged.add_headers = {{"X-AUP-Tag", "v"}};
  CHECK(fixture.apply(tagged).calls == Calls{"addheader X-AUP-Tag  v"});
}

TEST_CASE("apply_verdict: a footer replaces the body and its changed Content fields",
          "[verdict_actions]") {
  VerdictFixture fixture;
  Verdict verdict = outbound(Action::accept);
  verdict.body_edit = BodyEdit{
      "new body\r\n",
      {{"Content-Type", "multipart/mixed; boundary=b", true}, {"MIME-Version", "1.0", false}}};
  const Applied applied = fixture.apply(verdict);
  CHECK(applied.result == SMFIS_ACCEPT);
  CHECK(applied.calls == Calls{"chgheader Content-Type 1 multipart/mixed; boundary=b",
                               "addheader MIME-Version 1.0", "replacebody new body\r\n"});

  // An MTA that did not offer SMFIF_CHGBODY: delivered without the footer (and logged).
  fixture.state.can_replace_body = false;
  const Applied unchanged = fixture.apply(verdict);
  CHECK(unchanged.result == SMFIS_ACCEPT);
  CHECK(unchanged.calls.empty());
}

TEST_CASE("apply_verdict: any failed change is a tempfail, never a silent accept",
          "[verdict_actions]") {
  VerdictFixture fixture;
  fixture.state.own_header_occurrences = {{"X-AUP-Tag", 1}};
  Verdict verdict = outbound(Action::tag);
  verdict.add_headers = {{"X-AUP-Tag", "v"}};
  verdict.body_edit = BodyEdit{"b\r\n", {}};
  for (const std::string failing : {"chgheader", "addheader", "replacebody"}) {
    INFO(failing);
    const Applied applied = fixture.apply(verdict, failing);
    CHECK(applied.result == SMFIS_TEMPFAIL);
    CHECK(applied.calls.back() == kTempfailReply);
  }
  // More X-AUP fields than were noted: some would go out forged, so none goes.
  fixture.state.own_headers_untracked = true;
  const Applied untracked = fixture.apply(verdict);
  CHECK(untracked.result == SMFIS_TEMPFAIL);
  CHECK(untracked.calls == Calls{kTempfailReply});
}

TEST_CASE("apply_verdict: quarantine in store mode keeps the message and discards it",
          "[verdict_actions]") {
  VerdictFixture fixture("store");
  Verdict verdict = outbound(Action::quarantine);
  verdict.matches = {{"marking", "4.6.1", Action::quarantine, Mode::enforce, "body", "x"}};
  verdict.add_headers = {{"X-AUP-Tag", "v"}};
  const Applied applied = fixture.apply(verdict);
  CHECK(applied.result == SMFIS_DISCARD);
  CHECK(applied.calls.empty());  // the MTA forgets it: no edits to a message it drops
  CHECK_FALSE(applied.quarantine_id.empty());
  CHECK(fixture.held_files() == 1);
}

TEST_CASE("apply_verdict: quarantine in hold mode stores a copy, then asks the MTA to hold",
          "[verdict_actions]") {
  VerdictFixture fixture("hold");
  Verdict verdict = outbound(Action::quarantine);
  verdict.matches = {{"marking", "4.6.1", Action::quarantine, Mode::enforce, "body", "x"}};
  const Applied applied = fixture.apply(verdict);
  CHECK(applied.result == SMFIS_ACCEPT);
  CHECK(applied.calls == Calls{"quarantine AUP clause 4.6.1: marking"});
  CHECK_FALSE(applied.quarantine_id.empty());
  CHECK(fixture.held_files() == 1);

  // The MTA refusing the hold: tempfail, so that the message is neither sent nor lost.
  const Applied refused = fixture.apply(verdict, "quarantine");
  CHECK(refused.result == SMFIS_TEMPFAIL);
  CHECK(refused.calls.back() == kTempfailReply);
}
