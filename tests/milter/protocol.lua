-- Protocol edge cases: abort between messages, inbound mail, many small body chunks, and a
-- connection closed without any message.
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")

-- Close right after connect.
local idle = common.connect()
mt.disconnect(idle)

-- Close without any connect information: libmilter calls xxfi_close with no private data.
local bare = mt.connect(os.getenv("AUP_MILTER_SOCKET"), 40, 0.25)
common.check(bare ~= nil, "cannot connect")
mt.disconnect(bare)

local conn = common.connect()
-- Start a forbidden message, abort it, then send a clean one: nothing may leak across.
mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "jo.bloggs")
common.check(mt.mailfrom(conn, "<jo.bloggs@medway.gov.uk>") == nil, "mailfrom failed")
common.check(mt.rcptto(conn, "<allstaff@medway.gov.uk>") == nil, "rcptto failed")
common.check(mt.abort(conn) == nil, "abort failed")
local after_abort = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk",
                                {"partner@example.org"}, common.staff_headers("Figures"),
                                "Fine.\r\n")
common.check(after_abort == SMFIR_ACCEPT, "message after abort not accepted")

-- A chain letter in 7-byte chunks is still seen whole.
local chain = "Forward this email to 10 people within 24 hours. Do not break the chain!\r\n"
local chunked = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk",
                            {"partner@example.org"}, common.staff_headers("Luck"), chain, 7)
common.check(chunked == SMFIR_DISCARD, "chunked chain letter not stored and discarded")
mt.disconnect(conn)

-- Inbound: an external client without login is accepted at MAIL FROM, untouched.
local inbound = common.connect("203.0.113.5")
local reply = common.send(inbound, nil, "someone@example.com", {"jo.bloggs@medway.gov.uk"},
                          {{"Subject", ""}}, "Hello\r\n")
common.check(reply == SMFIR_ACCEPT, "inbound mail not accepted")
mt.disconnect(inbound)
