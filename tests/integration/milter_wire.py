"""A raw milter-protocol client, byte for byte as an MTA speaks it (Postfix milter8.c, libmilter's
engine.c): a packet is a 4-byte big-endian length, a command byte and its data. Written out here,
not through a library, so that tests can also send what no MTA would."""
import socket
import struct

# Replies that end a command; the others (header changes, progress...) come before one of these.
FINAL = set(b"acdrtyse")
PROTOCOL_ALL = 0x1FFFFF  # every SMFIP_* step flag an MTA may offer
ACTIONS_ALL = 0x1FF


def packet(command, data=b""):
    return struct.pack(">I", len(data) + 1) + command + data


def strings(*items):
    """NUL-terminated strings, as in macro, MAIL and RCPT packets."""
    return b"".join(item.encode() + b"\0" for item in items)


class Closed(Exception):
    """The milter closed the connection (or reset it)."""


class Milter:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as error:
            raise Closed(str(error)) from error

    def send(self, command, data=b""):
        self.send_raw(packet(command, data))

    def _exactly(self, size):
        data = b""
        while len(data) < size:
            try:
                chunk = self.sock.recv(size - len(data))
            except ConnectionResetError as error:
                raise Closed(str(error)) from error
            if not chunk:
                raise Closed("end of file")
            data += chunk
        return data

    def read(self):
        """One reply: (command byte as int, data)."""
        (length,) = struct.unpack(">I", self._exactly(4))
        body = self._exactly(length)
        return body[0], body[1:]

    def final(self):
        """Replies until one that ends the command: (command, data, earlier replies)."""
        earlier = []
        while True:
            command, data = self.read()
            if command in FINAL:
                return command, data, earlier
            earlier.append((command, data))

    def command(self, command, data=b""):
        self.send(command, data)
        return self.final()

    def negotiate(self):
        self.send(b"O", struct.pack(">III", 6, ACTIONS_ALL, PROTOCOL_ALL))
        command, data = self.read()
        assert command == ord("O"), "no option negotiation reply: %r" % chr(command)
        _, _, self.protocol = struct.unpack(">III", data[:12])
        return self.protocol

    def macros(self, for_command, *pairs):
        self.send(b"D", for_command + strings(*pairs))

    def connect(self, ip="192.168.10.24", host="client.example"):
        self.macros(b"C", "j", "mx.medway.gov.uk", "{daemon_name}", "ORIGINATING")
        data = host.encode() + b"\0" + b"4" + struct.pack(">H", 40000) + ip.encode() + b"\0"
        return self.command(b"C", data)[0]

    def message(self, sender, recipients, headers, body, login="jo.bloggs"):
        """A whole transaction; the reply to the first command that is not 'continue', or the
        end of message's: (command, data)."""
        self.macros(b"M", "{auth_authen}", login, "i", "QID1")
        steps = [(b"M", strings("<%s>" % sender))]
        steps += [(b"R", strings("<%s>" % r)) for r in recipients]
        # The milter takes SMFIP_HDR_LEADSPC: values carry their own leading space.
        steps += [(b"L", strings(name, " " + value)) for name, value in headers]
        steps += [(b"N", b""), (b"B", body), (b"E", b"")]
        for command, data in steps:
            reply, text, _ = self.command(command, data)
            if reply != ord("c") or command == b"E":
                return reply, text
        raise AssertionError("unreachable")


def clean_message(milter):
    return milter.message("jo.bloggs@medway.gov.uk", ["partner@example.org"],
                          [("From", "Jo Bloggs <jo.bloggs@medway.gov.uk>"),
                           ("To", "partner@example.org"), ("Subject", "Figures")],
                          b"The figures are attached.\r\n")


def all_staff_message(milter):
    return milter.message("jo.bloggs@medway.gov.uk", ["allstaff@medway.gov.uk"],
                          [("From", "Jo Bloggs <jo.bloggs@medway.gov.uk>"),
                           ("To", "allstaff@medway.gov.uk"), ("Subject", "Cake")],
                          b"Cake in the kitchen.\r\n")
