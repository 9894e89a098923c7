-- Accept, tag, reject and quarantine as libmilter actions, several messages on one connection.
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
local conn = common.connect()

local clean = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                          common.staff_headers("Figures"), "The figures are attached.\r\n")
common.check(clean == SMFIR_ACCEPT, "clean message not accepted")

local tagged = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                           {{"From", "jo.bloggs@medway.gov.uk"}, {"X-AUP-Verdict", "accept"}},
                           "No subject here.\r\n")
common.check(tagged == SMFIR_ACCEPT, "tagged message not accepted")
-- miltertest offers SMFIP_HDR_LEADSPC, which the milter takes: values carry their own space.
common.check(mt.eom_check(conn, MT_HDRADD, "X-AUP-Verdict", " tag"), "no X-AUP-Verdict: tag")
common.check(mt.eom_check(conn, MT_HDRADD, "X-AUP-Clauses", " 4.6.1"), "no X-AUP-Clauses")
common.check(mt.eom_check(conn, MT_HDRDELETE, "X-AUP-Verdict"), "forged X-AUP-Verdict kept")

local chain = "Forward this email to 10 people within 24 hours. Do not break the chain!\r\n"
local held = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk", {"partner@example.org"},
                         common.staff_headers("Luck"), chain)
-- store: kept by the milter and discarded from the MTA; hold: the MTA's hold queue;
-- tempfail: the quarantine cannot store it, so the MTA must keep it and retry.
local mode = os.getenv("AUP_QUARANTINE_MODE") or "store"
if mode == "hold" then
  common.check(held == SMFIR_ACCEPT, "quarantined message not accepted for holding")
  common.check(mt.eom_check(conn, MT_QUARANTINE), "message not quarantined")
elseif mode == "store" then
  common.check(held == SMFIR_DISCARD, "stored message not discarded from the MTA")
else
  common.check(held == SMFIR_REPLYCODE, "unstorable message not refused with a reply")
  common.check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.3.0",
                            "Message could not be stored for review; please try again later"),
               "unstorable message not tempfailed with 451 4.3.0")
end

local allstaff = common.send(conn, "jo.bloggs", "jo.bloggs@medway.gov.uk",
                             {"allstaff@medway.gov.uk"}, common.staff_headers("Cake"),
                             "Cake in the kitchen.\r\n")
common.check(allstaff == SMFIR_REPLYCODE, "all-staff message not rejected with a reply")
common.check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
                          "Mail to all council employees goes through ICT (policy clause 4.4); please ask the " ..
                          "ICT Service Desk to send it for you. Questions: ICT Service Desk, extension 2888."),
             "all-staff rejection without its 550 5.7.1 reply citing clause 4.4")

mt.disconnect(conn)
