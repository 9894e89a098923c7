-- A message with AUP_FIELDS X-AUP-* fields (a scan of the fields seen so far made 50,000 take
-- 36 s):
-- it is over the header field limit, so the engine holds it as uninspectable (4.8.1); in store
-- mode the store keeps it and the MTA is told to discard. run_miltertest.py times it and reads
-- the decision from the audit file.
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
local conn = common.connect()
local headers = common.staff_headers("Many fields")
for i = 1, tonumber(os.getenv("AUP_FIELDS")) do
  headers[#headers + 1] = {"X-AUP-Forged", "value " .. i}
end
local reply = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                          headers, "Hello.\r\n")
if os.getenv("AUP_EXPECT") == "tempfail" then
  -- Hold mode: the MTA keeps the message, and the fields past the limit were not noted, so
  -- they could not be removed: a tempfail (451) rather than forged X-AUP-* fields kept.
  common.check(reply == SMFIR_REPLYCODE, "expected a tempfail, got " .. tostring(reply))
  common.check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.1",
                            "Message could not be processed; please try again later"),
               "too many X-AUP fields in hold mode not answered 451 4.7.1")
else
  common.check(reply == SMFIR_DISCARD, "expected the store to keep it (discard), got " ..
               tostring(reply))
end
mt.disconnect(conn)

-- The daemon is fine afterwards: a new session is answered normally.
local again = common.connect()
reply = common.send(again, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                    common.staff_headers("Small"), "Short.\r\n")
common.check(reply == SMFIR_ACCEPT, "small message not accepted")
mt.disconnect(again)
