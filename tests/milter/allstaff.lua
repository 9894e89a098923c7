-- One all-staff message from jo.bloggs; AUP_EXPECT says whether the policy in force rejects it.
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
local conn = common.connect()
local reply = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"allstaff@medway.gov.uk"},
                          common.staff_headers("Cake"), "Cake in the kitchen.\r\n")
if os.getenv("AUP_EXPECT") == "reject" then
  common.check(reply == SMFIR_REPLYCODE, "expected a rejection")
  -- The code and the text a member of staff reads in the bounce, naming clause 4.4.
  common.check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
                            "Mail to all council employees goes through ICT (policy clause 4.4); please ask the " ..
                            "ICT Service Desk to send it for you. Questions: ICT Service Desk, extension 2888."),
               "all-staff rejection without its 550 5.7.1 reply citing clause 4.4")
else
  common.check(reply == SMFIR_ACCEPT, "expected acceptance")
end
mt.disconnect(conn)
