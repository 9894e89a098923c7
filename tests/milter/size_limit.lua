-- A message over daemon.max_message_bytes (the test sets 1024) is refused while it arrives,
-- by the engine's size verdict (daemon.over_limit in rules/aup.json, as `aupctl check` gives
-- it; run_miltertest.py reads the decision from the audit file). miltertest cannot read the
-- reply text before end of message.
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
local conn = common.connect()
mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "jo.bloggs")
common.check(mt.mailfrom(conn, "<jo.bloggs@medway.gov.uk>") == nil, "mailfrom failed")
common.check(mt.getreply(conn) == SMFIR_CONTINUE, "mailfrom not continued")
common.check(mt.rcptto(conn, "<partner@example.org>") == nil, "rcptto failed")
common.check(mt.getreply(conn) == SMFIR_CONTINUE, "rcpt not continued")
for _, header in ipairs(common.staff_headers("Big")) do
  common.check(mt.header(conn, header[1], header[2]) == nil, "header failed")
end
common.check(mt.eoh(conn) == nil, "eoh failed")
common.check(mt.bodystring(conn, string.rep("x", 2000)) == nil, "body failed")
common.check(mt.getreply(conn) == SMFIR_REPLYCODE, "oversized body not refused")
mt.disconnect(conn)

-- A small message on a new connection is still fine.
local again = common.connect()
local reply = common.send(again, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                          common.staff_headers("Small"), "Short.\r\n")
common.check(reply == SMFIR_ACCEPT, "small message not accepted")
mt.disconnect(again)
