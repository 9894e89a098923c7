-- Two messages whose log lines run_miltertest.py reads: inbound mail (external client, no
-- login, external sender), accepted at MAIL FROM, and a staff message that only a monitor-mode
-- rule matches (negative-comment-monitor, clause 2.3).
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
local inbound = common.connect("203.0.113.5")
mt.macro(inbound, SMFIC_MAIL, "i", "INBOUND1")
common.check(mt.mailfrom(inbound, "<someone@example.org>") == nil, "mailfrom failed")
common.check(mt.getreply(inbound) == SMFIR_ACCEPT, "inbound mail not accepted at MAIL FROM")
mt.disconnect(inbound)

local staff = common.connect()
local reply = common.send(staff, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                          common.staff_headers("Roads"),
                          "Honestly, the council is useless at this.\r\n")
common.check(reply == SMFIR_ACCEPT, "monitor-only match changed the outcome")
mt.disconnect(staff)
