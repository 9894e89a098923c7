#include "loadgen/milter_client.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <libmilter/mfdef.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace aup::loadgen {
namespace {

constexpr uint32_t kVersion = 6;
constexpr uint32_t kAllActions = 0x1FF;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

std::string u32(uint32_t value) {
  const uint32_t network = htonl(value);
  return std::string(reinterpret_cast<const char*>(&network), 4);
}

uint32_t read_u32(std::string_view data, size_t at) {
  uint32_t network = 0;
  std::memcpy(&network, data.data() + at, 4);
  return ntohl(network);
}

int open_socket(const std::string& spec) {
  if (spec.starts_with("unix:") || spec.starts_with("local:")) {
    const std::string path = spec.substr(spec.find(':') + 1);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) fail("socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      return fd;
    }
    if (fd >= 0) ::close(fd);
    fail(fmt::format("cannot connect to {}: {}", spec, std::strerror(errno)));
  }
  const auto at = spec.find('@');
  if (!spec.starts_with("inet:") || at == std::string::npos) fail("not inet:PORT@HOST: " + spec);
  const std::string port = spec.substr(5, at - 5), host = spec.substr(at + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    fail("cannot resolve " + spec);
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool connected = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  // Macros and the command after them are separate small writes: without this, Nagle's
  // algorithm and the peer's delayed ACK add some 40 ms to each.
  const int on = 1;
  if (connected) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (connected) return fd;
  if (fd >= 0) ::close(fd);
  fail(fmt::format("cannot connect to {}: {}", spec, std::strerror(errno)));
}

std::string with_nul(std::string_view text) {
  return std::string(text) + '\0';
}

std::string macros(char command, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string data(1, command);
  for (const auto& [name, value] : pairs)
    data += with_nul(name) + with_nul(value);
  return data;
}

std::string crlf_lines(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

MessageParts split_message(std::string_view raw) {
  MessageParts parts;
  size_t at = 0;
  while (at < raw.size()) {
    size_t end = raw.find('\n', at);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(at, end - at);
    if (line.ends_with('\r')) line.remove_suffix(1);
    at = end + 1;
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !parts.headers.empty()) {
      parts.headers.back().second += "\n" + std::string(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    parts.headers.emplace_back(std::string(line.substr(0, colon)),
                               std::string(line.substr(colon + 1)));
  }
  parts.body = at < raw.size() ? crlf_lines(raw.substr(at)) : "";
  return parts;
}

MilterConnection::MilterConnection(const std::string& socket_spec) : fd_(open_socket(socket_spec)) {
  write_packet(SMFIC_OPTNEG, u32(kVersion) + u32(kAllActions) + u32(SMFI_CURR_PROT));
  const auto [command, data] = read_packet();
  if (command != SMFIC_OPTNEG || data.size() < 12) fail("milter refused option negotiation");
  protocol_ = read_u32(data, 8);
}

MilterConnection::~MilterConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void MilterConnection::write_packet(char command, std::string_view data) {
  const std::string packet =
      u32(static_cast<uint32_t>(data.size() + 1)) + command + std::string(data);
  std::string_view rest = packet;
  while (!rest.empty()) {
    const ssize_t written = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) fail(fmt::format("write to milter: {}", std::strerror(errno)));
    rest.remove_prefix(static_cast<size_t>(written));
  }
}

std::pair<char, std::string> MilterConnection::read_packet() {
  const auto read_exactly = [this](size_t size) {
    std::string out(size, '\0');
    size_t got = 0;
    while (got < size) {
      const ssize_t n = ::recv(fd_, out.data() + got, size - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(n == 0 ? "milter closed the connection" : std::strerror(errno));
      got += static_cast<size_t>(n);
    }
    return out;
  };
  const uint32_t length = read_u32(read_exactly(4), 0);
  if (length == 0 || length > 64 * 1024 * 1024) fail("bad packet length from milter");
  std::string packet = read_exactly(length);
  return {packet.front(), packet.substr(1)};
}

Answer MilterConnection::read_answer() {
  Answer answer;
  for (;;) {
    auto [command, data] = read_packet();
    switch (command) {
      case SMFIR_PROGRESS:
        continue;
      case SMFIR_QUARANTINE:
        answer.quarantined = true;
        ++answer.modifications;
        continue;
      case SMFIR_ADDHEADER:
      case SMFIR_INSHEADER:
      case SMFIR_CHGHEADER:
      case SMFIR_REPLBODY:
      case SMFIR_ADDRCPT:
      case SMFIR_DELRCPT:
      case SMFIR_ADDRCPT_PAR:
      case SMFIR_CHGFROM:
      case SMFIR_SETSYMLIST:
        ++answer.modifications;
        continue;
      case SMFIR_REPLYCODE:
        answer.reply = data.substr(0, data.find('\0'));
        [[fallthrough]];
      case SMFIR_ACCEPT:
      case SMFIR_CONTINUE:
      case SMFIR_REJECT:
      case SMFIR_TEMPFAIL:
      case SMFIR_DISCARD:
      case SMFIR_SKIP:
        answer.verdict = command;
        return answer;
      default:
        fail(fmt::format("unexpected reply '{}' from milter", command));
    }
  }
}

Answer MilterConnection::step(char command, std::string_view data, uint32_t no_reply_flag) {
  write_packet(command, data);
  if ((protocol_ & no_reply_flag) != 0) return Answer{SMFIR_CONTINUE, "", false, 0};
  return read_answer();
}

void MilterConnection::connect(const SessionFacts& facts) {
  write_packet(SMFIC_MACRO, macros(SMFIC_CONNECT, {{"j", "mta.medway.gov.uk"},
                                                   {"{daemon_name}", "submission"},
                                                   {"_", facts.client_name}}));
  if ((protocol_ & SMFIP_NOCONNECT) == 0) {
    const std::string data =
        with_nul(facts.client_name) + SMFIA_INET + u32(0).substr(2) + with_nul(facts.client_ip);
    const Answer answer = step(SMFIC_CONNECT, data, SMFIP_NR_CONN);
    if (answer.verdict != SMFIR_CONTINUE) fail("milter did not continue after connect");
  }
  if ((protocol_ & SMFIP_NOHELO) == 0) step(SMFIC_HELO, with_nul(facts.helo), SMFIP_NR_HELO);
}

Answer MilterConnection::send(const SessionFacts& facts, const MessageParts& message,
                              const std::string& queue_id) {
  const auto finished = [this](Answer answer) {
    write_packet(SMFIC_ABORT, "");  // the milter decided early: end the transaction
    return answer;
  };
  std::vector<std::pair<std::string, std::string>> mail_macros = {{"i", queue_id}};
  if (!facts.auth_user.empty()) mail_macros.emplace_back("{auth_authen}", facts.auth_user);
  write_packet(SMFIC_MACRO, macros(SMFIC_MAIL, mail_macros));
  if ((protocol_ & SMFIP_NOMAIL) == 0) {
    const Answer mail = step(SMFIC_MAIL, with_nul("<" + facts.sender + ">"), SMFIP_NR_MAIL);
    if (mail.verdict != SMFIR_CONTINUE) return finished(mail);
  }
  for (const std::string& recipient : facts.recipients) {
    if ((protocol_ & SMFIP_NORCPT) != 0) break;
    const Answer rcpt = step(SMFIC_RCPT, with_nul("<" + recipient + ">"), SMFIP_NR_RCPT);
    if (rcpt.verdict != SMFIR_CONTINUE) return finished(rcpt);
  }
  if ((protocol_ & SMFIP_NODATA) == 0) {
    const Answer data = step(SMFIC_DATA, "", SMFIP_NR_DATA);
    if (data.verdict != SMFIR_CONTINUE) return finished(data);
  }
  const bool leading_space = (protocol_ & SMFIP_HDR_LEADSPC) != 0;
  for (const auto& [name, value] : message.headers) {
    if ((protocol_ & SMFIP_NOHDRS) != 0) break;
    const std::string sent =
        leading_space || value.empty() || value.front() != ' ' ? value : value.substr(1);
    const Answer header = step(SMFIC_HEADER, with_nul(name) + with_nul(sent), SMFIP_NR_HDR);
    if (header.verdict != SMFIR_CONTINUE) return finished(header);
  }
  if ((protocol_ & SMFIP_NOEOH) == 0) {
    const Answer eoh = step(SMFIC_EOH, "", SMFIP_NR_EOH);
    if (eoh.verdict != SMFIR_CONTINUE) return finished(eoh);
  }
  for (size_t at = 0; at < message.body.size() && (protocol_ & SMFIP_NOBODY) == 0;
       at += MILTER_CHUNK_SIZE) {
    const Answer body = step(
        SMFIC_BODY, std::string_view(message.body).substr(at, MILTER_CHUNK_SIZE), SMFIP_NR_BODY);
    if (body.verdict == SMFIR_SKIP) break;
    if (body.verdict != SMFIR_CONTINUE) return finished(body);
  }
  write_packet(SMFIC_BODYEOB, "");
  return read_answer();
}

void MilterConnection::quit() noexcept {
  try {
    write_packet(SMFIC_QUIT, "");
  } catch (...) {
  }
}

}  // namespace aup::loadgen
