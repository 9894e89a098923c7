-- One all-staff message from jo.bloggs; AUP_EXPECT says whether the policy in force rejects it.
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
local conn = common.connect()
local reply = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"allstaff@medway.gov.uk"},
                          common.staff_headers("Cake"), "Cake in the kitchen.\r\n")
if os.getenv("AUP_EXPECT") == "reject" then
  common.check(reply == SMFIR_REPLYCODE, "expected a rejection")
else
  common.check(reply == SMFIR_ACCEPT, "expected acceptance")
end
mt.disconnect(conn)
