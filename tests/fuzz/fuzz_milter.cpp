// Fuzz target: the daemon's libmilter callbacks, in any order and with any arguments, as the
// fuzz input dictates: negotiate, connect, macros, MAIL, RCPT, headers, body chunks, end of
// message, abort, close, and MTA-side failures of modifications. Driven through the callbacks
// the daemon registers (filter_description), with libmilter's context functions replaced by
// fake_libmilter.cpp, so without sockets. Every callback must answer with a valid status, and
// every refusal must carry a valid reply; the daemon must never crash or leak a session.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/config_holder.hpp"
#include "daemon/milter_callbacks.hpp"
#include "daemon/quarantine_service.hpp"
#include "fake_libmilter.hpp"
#include "fuzz_support.hpp"

namespace {

// Reads the fuzz input front to back; past its end, zeros and empty strings.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return offset_ >= size_; }
  uint8_t byte() { return offset_ < size_ ? data_[offset_++] : 0; }
  // A length byte (two when `wide`), then that many bytes.
  std::string text(bool wide = false) {
    size_t length = byte();
    if (wide) length = length << 8 | byte();
    length = std::min(length, size_ - std::min(offset_, size_));
    std::string result(reinterpret_cast<const char*>(data_ + offset_), length);
    offset_ += length;
    return result;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

struct Daemon {
  // Members in this order: the configuration needs the store's path.
  std::filesystem::path store = make_store();
  aup::daemon::ConfigHolder configs{config_storing_in(store)};
  aup::daemon::QuarantineService quarantines;
  smfiDesc callbacks = aup::daemon::filter_description();
  const aup::inspect::TypeDetector types;  // in order, on this thread: reproducible runs

  Daemon() {
    aup::daemon::use_configuration(configs, quarantines, std::nullopt,
                                   aup::inspect::sequential_executor(), types);
  }
  ~Daemon() {
    std::error_code ignored;
    std::filesystem::remove_all(store, ignored);
  }

  static std::filesystem::path make_store() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "aup-fuzz-milter-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }

  // The shipped configuration, with held messages stored in a private directory.
  static std::shared_ptr<const aup::daemon::DaemonConfig> config_storing_in(
      const std::filesystem::path& dir) {
    const auto shipped =
        aup::daemon::load_daemon_config(aup::fuzz::source_path("rules/aup.json")).config;
    if (!shipped) std::abort();  // fuzz_support's shipped_policy says why, when run
    auto config = std::make_shared<aup::daemon::DaemonConfig>(*shipped);
    config->quarantine.directory = (dir / "quarantine").string();
    config->quarantine.index.clear();
    return config;
  }

  // Held messages pile up over millions of runs: drop their files now and then.
  void tidy(size_t run) const {
    if (run % 1000 != 0) return;
    std::error_code ignored;
    for (const auto& item :
         std::filesystem::directory_iterator(store / "quarantine" / "items", ignored))
      std::filesystem::remove_all(item.path(), ignored);
  }
};

bool is_status(sfsistat status) {
  switch (status) {
    case SMFIS_CONTINUE:
    case SMFIS_REJECT:
    case SMFIS_DISCARD:
    case SMFIS_ACCEPT:
    case SMFIS_TEMPFAIL:
      return true;
    default:
      return false;
  }
}

void check(SMFICTX& ctx, sfsistat status) {
  if (!is_status(status)) std::abort();
  if (status == SMFIS_REJECT && (ctx.reply_code.empty() || ctx.reply_code[0] != '5')) std::abort();
  if (status == SMFIS_TEMPFAIL && (ctx.reply_code.empty() || ctx.reply_code[0] != '4'))
    std::abort();
  ctx.reply_code.clear();
}

sfsistat negotiate(const smfiDesc& callbacks, SMFICTX& ctx, Input& in) {
  const unsigned long offered_actions = in.byte() & 0x3f;
  const unsigned long offered_steps = static_cast<unsigned long>(in.byte()) << 12 | 0x7f;
  unsigned long actions = 0, steps = 0, reserved2 = 0, reserved3 = 0;
  return callbacks.xxfi_negotiate(&ctx, offered_actions, offered_steps, 0, 0, &actions, &steps,
                                  &reserved2, &reserved3);
}

sfsistat connect(const smfiDesc& callbacks, SMFICTX& ctx, Input& in) {
  std::string hostname = in.text();
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  sockaddr* address = nullptr;
  switch (in.byte() % 3) {
    case 0:
      v4.sin_family = AF_INET;
      v4.sin_addr.s_addr = htonl(0x0a000000u | in.byte());  // 10.0.0.x: internal
      address = reinterpret_cast<sockaddr*>(&v4);
      break;
    case 1:
      v6.sin6_family = AF_INET6;
      v6.sin6_addr.s6_addr[15] = in.byte();
      address = reinterpret_cast<sockaddr*>(&v6);
      break;
    default:
      break;  // no address (a Unix socket client)
  }
  return callbacks.xxfi_connect(&ctx, hostname.data(), address);
}

void set_macro(SMFICTX& ctx, Input& in) {
  static const char* names[] = {"{auth_authen}", "i", "{daemon_name}"};
  const char* name = names[in.byte() % 3];
  std::string value = in.text();
  if (value.empty()) {
    ctx.macros.erase(name);
  } else {
    ctx.macros[name] = value;
  }
}

// Arguments as libmilter passes them: a NULL-terminated array, sometimes none at all.
sfsistat with_argument(sfsistat (*callback)(SMFICTX*, char**), SMFICTX& ctx, Input& in) {
  std::string argument = in.text();
  std::vector<char*> argv = {argument.data(), nullptr};
  return callback(&ctx, in.byte() % 8 == 0 ? nullptr : argv.data());
}

sfsistat header(const smfiDesc& callbacks, SMFICTX& ctx, Input& in) {
  std::string name = in.text();
  std::string value = in.text(true);
  return callbacks.xxfi_header(&ctx, name.data(),
                               value.c_str() == nullptr ? nullptr : value.data());
}

sfsistat body(const smfiDesc& callbacks, SMFICTX& ctx, Input& in) {
  std::string chunk = in.text(true);
  return callbacks.xxfi_body(&ctx, reinterpret_cast<unsigned char*>(chunk.data()), chunk.size());
}

// One step chosen by the next input byte.
void step(const smfiDesc& callbacks, SMFICTX& ctx, Input& in) {
  switch (in.byte() % 12) {
    case 0:
      return check(ctx, negotiate(callbacks, ctx, in));
    case 1:
      return check(ctx, connect(callbacks, ctx, in));
    case 2:
      return set_macro(ctx, in);
    case 3:
      return check(ctx, with_argument(callbacks.xxfi_envfrom, ctx, in));
    case 4:
      return check(ctx, with_argument(callbacks.xxfi_envrcpt, ctx, in));
    case 5:
      return check(ctx, header(callbacks, ctx, in));
    case 6:
      return check(ctx, callbacks.xxfi_eoh(&ctx));
    case 7:
      return check(ctx, body(callbacks, ctx, in));
    case 8:
      return check(ctx, callbacks.xxfi_eom(&ctx));
    case 9:
      return check(ctx, callbacks.xxfi_abort(&ctx));
    case 10:
      return check(ctx, callbacks.xxfi_close(&ctx));
    default:
      ctx.modifications_fail = !ctx.modifications_fail;
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Daemon daemon;
  static size_t runs = 0;
  daemon.tidy(++runs);
  SMFICTX ctx;
  Input in(data, size);
  while (!in.empty())
    step(daemon.callbacks, ctx, in);
  check(ctx, daemon.callbacks.xxfi_close(&ctx));  // libmilter always closes the connection
  if (ctx.private_data != nullptr) std::abort();
  return 0;
}
