// The quarantine section, validated key by key; file names relative to the configuration.
#include "quarantine/quarantine_settings.hpp"

#include <fmt/format.h>

#include "engine/config_reader.hpp"

namespace aup {
namespace {

void read_sender_notice(ConfigReader& in, SenderNotice& notice) {
  if (!in.object_at("/quarantine/sender_notice", {"enabled", "from", "subject"})) return;
  in.boolean("/quarantine/sender_notice/enabled", notice.enabled);
  notice.from = in.text("/quarantine/sender_notice/from", notice.from);
  notice.subject = in.text("/quarantine/sender_notice/subject", notice.subject);
}

void read_mode(ConfigReader& in, QuarantineSettings& quarantine) {
  const std::string mode = in.text("/quarantine/mode", "store");
  if (mode == "hold") {
    quarantine.mode = QuarantineSettings::Mode::hold;
  } else if (mode != "store") {
    in.error("/quarantine/mode", fmt::format("\"{}\" is not \"store\" or \"hold\"", mode));
  }
}

}  // namespace

QuarantineSettings read_quarantine_settings(const SourceFile& config, DiagnosticSink& sink) {
  QuarantineSettings quarantine;
  ConfigReader in(config, sink);
  if (!in.object_at("/quarantine",
                    {"mode", "directory", "index", "release_relay", "release_helo",
                     "retention_days", "postfix_config_directory", "sender_notice"})) {
    quarantine.directory = in.beside_config(quarantine.directory);
    return quarantine;
  }
  read_mode(in, quarantine);
  quarantine.directory = in.beside_config(in.text("/quarantine/directory", quarantine.directory));
  quarantine.index = in.beside_config(in.text("/quarantine/index", quarantine.index));
  quarantine.release_relay = in.text("/quarantine/release_relay", quarantine.release_relay);
  in.check_host_port("/quarantine/release_relay", quarantine.release_relay, "127.0.0.1:10026");
  quarantine.release_helo = in.text("/quarantine/release_helo", quarantine.release_helo);
  in.number<unsigned>("/quarantine/retention_days", quarantine.retention_days, 1);
  quarantine.postfix_config_directory =
      in.text("/quarantine/postfix_config_directory", quarantine.postfix_config_directory);
  read_sender_notice(in, quarantine.notice);
  return quarantine;
}

}  // namespace aup
