-- Three inbound messages only (what a milter hooked to the wrong Postfix service sees).
package.path = os.getenv("AUP_MILTER_SCRIPTS") .. "/?.lua;" .. package.path
local common = require("common")
for i = 1, 3 do
  local conn = common.connect("203.0.113." .. i)
  common.check(mt.mailfrom(conn, "<newsletter@example.org>") == nil, "mailfrom failed")
  common.check(mt.getreply(conn) == SMFIR_ACCEPT, "inbound mail not accepted at MAIL FROM")
  mt.disconnect(conn)
end
