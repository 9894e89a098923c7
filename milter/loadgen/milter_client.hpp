// The MTA's side of the milter protocol (version 6), enough to drive any milter the way
// Postfix does: negotiate, connect, then per message MAIL, RCPT, headers, end of headers, the
// body in 64 KB chunks and end of message, honouring the steps the milter asked to skip.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aup::loadgen {

struct SessionFacts {
  std::string client_ip = "10.1.2.3";
  std::string client_name = "pc1.medway.gov.uk";
  std::string helo = "pc1.medway.gov.uk";
  std::string sender;  // "" is the null sender
  std::vector<std::string> recipients;
  std::string auth_user;  // {auth_authen}; "" for none
};

struct MessageParts {
  std::vector<std::pair<std::string, std::string>> headers;  // name, value as written
  std::string body;                                          // CRLF
};

// Splits an .eml file into header fields (folded lines kept, joined by "\n") and body.
MessageParts split_message(std::string_view raw);

struct Answer {
  char verdict = 0;   // 'a' accept, 'c' continue (= accept), 'r', 't', 'd', 'y' (reply code)
  std::string reply;  // for 'y': "550 5.7.1 ..."
  bool quarantined = false;
  int modifications = 0;  // header and body changes asked for at end of message
};

class MilterConnection {
 public:
  // Connects to "inet:PORT@HOST" or "unix:/path" and negotiates. Throws std::runtime_error.
  explicit MilterConnection(const std::string& socket_spec);
  ~MilterConnection();
  MilterConnection(const MilterConnection&) = delete;
  MilterConnection& operator=(const MilterConnection&) = delete;

  void connect(const SessionFacts& facts);
  // One message; throws std::runtime_error on a protocol or I/O failure.
  Answer send(const SessionFacts& facts, const MessageParts& message, const std::string& queue_id);
  void quit() noexcept;

 private:
  void write_packet(char command, std::string_view data);
  std::pair<char, std::string> read_packet();
  // Reads replies until a final one; modifications and progress are noted on the way.
  Answer read_answer();
  // Sends a step and, unless the milter asked for no reply, returns its answer ('c' if none).
  Answer step(char command, std::string_view data, uint32_t no_reply_flag);

  int fd_ = -1;
  uint32_t protocol_ = 0;  // the steps the milter asked to skip or not to answer
};

}  // namespace aup::loadgen
