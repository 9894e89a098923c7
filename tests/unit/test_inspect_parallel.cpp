// Attachments are typed on several threads at once: every task runs exactly once, and every
// attachment gets the type it gets when typed alone, however many messages run together, and
// the same types as on the sequential executor aupctl uses.
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <iterator>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "inspect/inspect.hpp"
#include "inspect/parallel.hpp"
#include "inspect/true_type.hpp"
#include "mime/mime_view.hpp"

namespace {

using aup::inspect::for_each_in_parallel;
using aup::inspect::ThreadPool;
using aup::inspect::TypeDetector;

// A pool of the daemon's size on any machine, so that the parallel paths run even on one core.
constexpr unsigned kPoolThreads = 3;

struct Member {
  std::string name;
  std::string bytes;
};

std::string zip_of(const std::vector<Member>& members) {
  std::string out(members.size() * 70000 + 4096, '\0');
  size_t used = 0;
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  REQUIRE(archive_write_open_memory(writer, out.data(), out.size(), &used) == ARCHIVE_OK);
  for (const Member& member : members) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(member.bytes.size()));
    REQUIRE(archive_write_header(writer, entry) == ARCHIVE_OK);
    REQUIRE(archive_write_data(writer, member.bytes.data(), member.bytes.size()) ==
            static_cast<la_ssize_t>(member.bytes.size()));
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  out.resize(used);
  return out;
}

std::string prose(size_t bytes, const std::string& seed) {
  std::string text;
  while (text.size() < bytes)
    text += "The " + seed + " minutes are attached; please review them before the meeting.\r\n";
  return text;
}

// The start of this test program itself: an ELF executable.
std::string own_executable() {
  std::ifstream file("/proc/self/exe", std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(file), {});
  bytes.resize(std::min<size_t>(bytes.size(), 64 * 1024));
  return bytes;
}

std::string message_with(const std::string& zip) {
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(zip.data()), zip.size());
  std::string body(encoded);
  g_free(encoded);
  std::string folded;
  for (size_t i = 0; i < body.size(); i += 76)
    folded += body.substr(i, 76) + "\n";
  return "From: a@medway.gov.uk\nTo: b@example.org\nSubject: papers\nMIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n" +
         prose(3000, "inline") +
         "\n--b\nContent-Type: application/zip; name=papers.zip\n"
         "Content-Transfer-Encoding: base64\n\n" +
         folded + "--b--\n";
}

std::string mixed_archive_message() {
  const std::string inner = zip_of({{"tool.py", "#!/usr/bin/env python3\nimport os\nprint(1)\n"},
                                    {"deep.txt", prose(9000, "deep")}});
  return message_with(zip_of({{"a.txt", prose(13000, "first")},
                              {"b.txt", prose(3000, "second")},
                              {"run.txt", "#!/bin/sh\necho hello\n"},
                              {"prog.dat", own_executable()},
                              {"inner.zip", inner},
                              {"c.txt", prose(6000, "third")}}));
}

}  // namespace

TEST_CASE("parallel: every task runs exactly once", "[inspect][parallel]") {
  ThreadPool pool(kPoolThreads);
  REQUIRE(pool.helpers() == kPoolThreads);
  for (const size_t count : {0UL, 1UL, 2UL, 7UL, 1000UL}) {
    std::vector<std::atomic<int>> runs(count);
    for_each_in_parallel(pool, count, [&](size_t i) { runs[i].fetch_add(1); });
    for (size_t i = 0; i < count; ++i)
      REQUIRE(runs[i].load() == 1);
  }
}

TEST_CASE("parallel: the sequential executor runs every task on the caller, in order",
          "[inspect][parallel]") {
  aup::inspect::Executor& sequential = aup::inspect::sequential_executor();
  CHECK(sequential.helpers() == 0);
  CHECK_FALSE(sequential.post([] { FAIL("a sequential executor ran a posted job"); }));
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<size_t> order;
  for_each_in_parallel(sequential, 50, [&](size_t i) {
    CHECK(std::this_thread::get_id() == caller);
    order.push_back(i);
  });
  std::vector<size_t> expected(50);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(order == expected);

  // Background tasks wait for the caller: none runs before finish(), none after cancel().
  std::vector<size_t> background;
  aup::inspect::BackgroundTasks later(sequential, 3, [&](size_t i) { background.push_back(i); });
  CHECK(background.empty());
  later.finish();
  CHECK(background == std::vector<size_t>{0, 1, 2});
  aup::inspect::BackgroundTasks dropped(sequential, 3, [&](size_t i) { background.push_back(i); });
  dropped.cancel();
  CHECK(background.size() == 3);
}

TEST_CASE("parallel: a pool runs posted jobs, and its destruction joins its threads",
          "[inspect][parallel]") {
  std::atomic<int> ran = 0;
  {
    ThreadPool pool(2);
    std::promise<void> first;
    std::future<void> first_done = first.get_future();
    REQUIRE(pool.post([&] { first.set_value(); }));
    CHECK(first_done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    for (int i = 0; i < 100; ++i)
      REQUIRE(pool.post([&ran] {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        ran.fetch_add(1);
      }));
  }  // joined here: the jobs not begun are dropped, none runs later
  const int at_destruction = ran.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(ran.load() == at_destruction);
  CHECK(at_destruction <= 100);
}

TEST_CASE("true type: a detector may go while its replacement handles are being loaded",
          "[inspect][parallel]") {
  // Past 256 buffers a handle is replaced on the pool; the job keeps the handles it loads
  // alive. Under ASan and TSan this is the test that the detector's end harms no job.
  ThreadPool pool(kPoolThreads);
  for (int round = 0; round < 3; ++round) {
    const auto detector = std::make_unique<TypeDetector>(pool);
    for (int i = 0; i < 300; ++i)
      REQUIRE(detector->binary_type_of("plain words") == "application/octet-stream");
    CHECK(detector->true_type_of(own_executable()).starts_with("application/x-"));
  }
}

TEST_CASE("parallel: callers on many threads at once all finish", "[inspect][parallel]") {
  ThreadPool pool(kPoolThreads);
  std::atomic<size_t> total = 0;
  std::vector<std::thread> callers;
  for (int caller = 0; caller < 8; ++caller) {
    callers.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        std::vector<std::atomic<int>> runs(5);
        for_each_in_parallel(pool, runs.size(), [&](size_t i) { runs[i].fetch_add(1); });
        for (auto& run : runs)
          total += static_cast<size_t>(run.load());
      }
    });
  }
  for (std::thread& caller : callers)
    caller.join();
  CHECK(total.load() == 8U * 200U * 5U);
}

TEST_CASE("parallel: background tasks run once when finished, at most once when cancelled",
          "[inspect][parallel]") {
  ThreadPool pool(kPoolThreads);
  for (const bool cancel : {false, true}) {
    std::vector<std::atomic<int>> runs(1000);  // 100 ms of work: more than a worker gets
    {
      aup::inspect::BackgroundTasks tasks(pool, runs.size(), [&](size_t i) {
        runs[i].fetch_add(1);
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      });
      if (cancel) {
        tasks.cancel();
      } else {
        tasks.finish();
      }
      tasks.finish();  // a second call does nothing
    }
    size_t total = 0;
    for (auto& run : runs) {
      REQUIRE(run.load() <= 1);
      total += static_cast<size_t>(run.load());
    }
    if (cancel) {
      CHECK(total < runs.size());  // the caller ran none; a worker at most a few
    } else {
      CHECK(total == runs.size());
    }
  }
}

TEST_CASE("inspect: members typed together get the types each gets alone", "[inspect][parallel]") {
  const std::string raw = mixed_archive_message();
  ThreadPool pool(kPoolThreads);
  const TypeDetector types(pool);
  const auto inspected_on = [&](aup::inspect::Executor& executor) {
    aup::mime::MimeView view = aup::mime::parse_message(raw);
    aup::inspect::inspect_attachments(view, {}, {executor, types});
    return view;
  };
  const auto inspected = [&] { return inspected_on(pool); };
  const aup::mime::MimeView view = inspected();
  REQUIRE(view.uninspectable.empty());
  REQUIRE(view.attachments.size() == 9);  // the zip, its six members, the inner zip's two
  const TypeDetector alone;
  for (const auto& part : view.attachments) {
    INFO(part.filename);
    CHECK(part.true_type == alone.true_type_of(part.bytes));
  }
  REQUIRE(view.text_parts.size() == 1);
  CHECK(view.text_parts[0].true_type == alone.binary_type_of(view.text_parts[0].head));

  // In order on the caller, as aupctl does it: the same attachments, the same types.
  const aup::mime::MimeView sequential = inspected_on(aup::inspect::sequential_executor());
  REQUIRE(sequential.attachments.size() == view.attachments.size());
  for (size_t i = 0; i < view.attachments.size(); ++i) {
    CHECK(sequential.attachments[i].filename == view.attachments[i].filename);
    CHECK(sequential.attachments[i].true_type == view.attachments[i].true_type);
  }

  const auto type_of = [&](const std::string& name) {
    for (const auto& part : view.attachments)
      if (part.filename == name) return part.true_type;
    FAIL("no member " << name);
    return std::string();
  };
  CHECK(type_of("a.txt") == "text/plain");
  CHECK(type_of("run.txt") == "text/x-shellscript");
  CHECK(type_of("tool.py") == "text/x-script.python");
  CHECK(type_of("prog.dat").starts_with("application/x-"));
  CHECK(type_of("inner.zip") == "application/zip");

  // Many messages at once: the pool is shared, the results are not.
  std::vector<std::future<aup::mime::MimeView>> others;
  for (int i = 0; i < 6; ++i)
    others.push_back(std::async(std::launch::async, inspected));
  for (auto& other : others) {
    const aup::mime::MimeView again = other.get();
    REQUIRE(again.attachments.size() == view.attachments.size());
    for (size_t i = 0; i < view.attachments.size(); ++i)
      CHECK(again.attachments[i].true_type == view.attachments[i].true_type);
  }
}

TEST_CASE("inspect: a limit that stops the walk leaves the other attachments typed",
          "[inspect][parallel]") {
  // The archive goes past the unpacked total; the program attached after it is still typed
  // (all attachments of a round are typed before any archive among them is opened).
  const std::string zip = zip_of({{"big.txt", prose(20000, "big")}});
  std::string raw = message_with(zip);
  const std::string program = own_executable();
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(program.data()), program.size());
  const std::string base64(encoded);
  g_free(encoded);
  raw.replace(raw.rfind("--b--"), 5,
              "--b\nContent-Type: application/octet-stream; name=notes.dat\n"
              "Content-Transfer-Encoding: base64\n\n" +
                  base64 + "\n--b--");
  aup::mime::MimeView view = aup::mime::parse_message(raw);
  aup::inspect::InspectLimits limits;
  limits.max_total_bytes = 1000;
  const TypeDetector types;
  aup::inspect::inspect_attachments(view, limits, {aup::inspect::sequential_executor(), types});
  REQUIRE(view.uninspectable.size() == 1);
  CHECK(view.uninspectable[0].find("more than 1000 bytes unpacked") != std::string::npos);
  bool program_typed = false;
  for (const auto& part : view.attachments)
    if (part.filename == "notes.dat") program_typed = part.true_type.starts_with("application/x-");
  CHECK(program_typed);
}
