-- Shared helpers for the miltertest scripts: connect to the daemon under test, send a message.
local common = {}

function common.check(condition, message)
  if not condition then
    error(message, 2)
  end
end

function common.connect(client_ip)
  local conn = mt.connect(os.getenv("AUP_MILTER_SOCKET"), 40, 0.25)
  common.check(conn ~= nil, "cannot connect to " .. tostring(os.getenv("AUP_MILTER_SOCKET")))
  common.check(mt.conninfo(conn, "client.example", client_ip or "192.168.10.24") == nil,
               "conninfo failed")
  common.check(mt.getreply(conn) == SMFIR_CONTINUE, "connect not continued")
  return conn
end

-- Sends envelope, headers and body; returns after end of message.
function common.send(conn, login, sender, recipients, headers, body, chunk)
  if login then
    mt.macro(conn, SMFIC_MAIL, "{auth_authen}", login, "i", "QID" .. tostring(math.random(100000)))
  else
    mt.macro(conn, SMFIC_MAIL, "i", "QID" .. tostring(math.random(100000)))
  end
  common.check(mt.mailfrom(conn, "<" .. sender .. ">") == nil, "mailfrom failed")
  local reply = mt.getreply(conn)
  if reply ~= SMFIR_CONTINUE then
    return reply
  end
  for _, rcpt in ipairs(recipients) do
    common.check(mt.rcptto(conn, "<" .. rcpt .. ">") == nil, "rcptto failed")
    common.check(mt.getreply(conn) == SMFIR_CONTINUE, "rcpt not continued")
  end
  for _, header in ipairs(headers) do
    common.check(mt.header(conn, header[1], header[2]) == nil, "header failed")
  end
  common.check(mt.eoh(conn) == nil, "eoh failed")
  chunk = chunk or #body
  local at = 1
  while at <= #body do
    common.check(mt.bodystring(conn, string.sub(body, at, at + chunk - 1)) == nil, "body failed")
    common.check(mt.getreply(conn) == SMFIR_CONTINUE, "body not continued")
    at = at + chunk
  end
  common.check(mt.eom(conn) == nil, "eom failed")
  return mt.getreply(conn)
end

function common.staff_headers(subject)
  return {{"From", "Jo Bloggs <jo.bloggs@medway.gov.uk>"}, {"To", "partner@example.org"},
          {"Subject", subject}}
end

return common
