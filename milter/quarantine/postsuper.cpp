#include "quarantine/postsuper.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace aup::quarantine {
namespace {

constexpr const char* kPostsuper = "/usr/sbin/postsuper";

bool valid_queue_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c));
  });
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv) noexcept {
  CommandResult result;
  int pipe_ends[2];
  if (argv.empty() || pipe(pipe_ends) != 0) return result;
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t child = fork();
  if (child < 0) {
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    return result;
  }
  if (child == 0) {
    dup2(pipe_ends[1], STDOUT_FILENO);
    dup2(pipe_ends[1], STDERR_FILENO);
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipe_ends[1]);
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(pipe_ends[0], buffer, sizeof buffer)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_ends[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  result.ran = WIFEXITED(status) && WEXITSTATUS(status) != 127;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

PostsuperResult postsuper_one(const std::string& config_directory, const std::string& operation,
                              const std::string& queue_id, std::string& why) {
  if (!valid_queue_id(queue_id)) {
    why = fmt::format("no usable queue id (\"{}\") recorded for this item", queue_id);
    return PostsuperResult::failed;
  }
  std::vector<std::string> argv = {kPostsuper, "-c", config_directory, operation, queue_id};
  if (operation == "-d") argv.push_back("hold");  // only ever from the hold queue
  const CommandResult result = run_command(argv);
  std::string output = result.output;
  std::replace(output.begin(), output.end(), '\n', ' ');
  const std::string done =
      operation == "-H" ? "Released from hold: 1 message" : "Deleted: 1 message";
  const std::string none =
      operation == "-H" ? "Released from hold: 0 messages" : "Deleted: 0 messages";
  if (result.ran && result.status == 0 && output.find(done) != std::string::npos) {
    return PostsuperResult::acted;
  }
  if (result.ran && result.status == 0 && output.find(none) != std::string::npos) {
    why = fmt::format("queue id {} is no longer in the hold queue", queue_id);
    return PostsuperResult::not_found;
  }
  why = result.ran ? fmt::format("postsuper {} {} failed: {}", operation, queue_id, output)
                   : fmt::format("cannot run {}", kPostsuper);
  return PostsuperResult::failed;
}

}  // namespace aup::quarantine
