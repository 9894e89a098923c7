// An in-memory stand-in for libmilter's context functions, so that a fuzz target can drive the
// daemon's callbacks without sockets. It checks what the daemon asks of the MTA the way
// libmilter and Postfix would (reply codes and text, header names and values) and stops the
// process on anything they would refuse.
#pragma once

#include <libmilter/mfapi.h>

#include <map>
#include <string>

struct smfi_str {
  void* private_data = nullptr;
  std::map<std::string, std::string> macros;
  bool modifications_fail = false;  // the MTA's side of a modification failing
  std::string reply_code;           // the last smfi_setreply code, "" for none
  size_t modifications = 0;
};
