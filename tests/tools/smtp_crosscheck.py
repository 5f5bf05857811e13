#!/usr/bin/python3
"""smtp_crosscheck: replays the SMTP sessions of mailsim traces against a real SMTP server.

For each (scenario, trace) pair it starts one aiosmtpd server per scenario server that a session
talks to, on 127.0.0.1 only, configured from the scenario as a Postfix would be (docs/design/
mail-facts.md says which Postfix): the recipients that exist, greylisting (postgrey), the SIZE
limit, the DNSBL listings, mailbox quotas, and on the submission port AUTH. It then replays every
session of the trace (the relay sessions, outgoing -> incoming on port 25, and the submission
sessions, client -> outgoing on port 587) command by command, in the trace's time order, and
compares the reply class (2, 3, 4, 5) of every step with the reply code mailsim wrote.

What it owns: the reference server (ReferencePolicy + Handler), the trace reader that cuts the
events into sessions, and the replay. What it does not own: mailsim's model (sim/); a
disagreement that is a known mailsim gap goes in EXPECTED_DISAGREEMENTS below, with the reason.

Sessions are told apart by their endpoints (client node, server node) and the message they carry,
from the `conn` open that starts them to the reply that ends them (221, 421) or a refused/timed-out
connection, never by the order of greetings: sessions to one server overlap (13-heavy-traffic).

Time is the trace's: before each step the replay sets the reference server's clock to the time
the step reaches the server (the event's `arrive`), so greylisting triplets, quotas and scripted
deletes follow simulated time, not the wall clock.

Steps the reference cannot judge are "not comparable" and printed with their reason, never
dropped: a refused or timed-out connection (an outage: the reference server is up), a 421
greeting (mailsim's own overload model; a real Postfix leaves extra connections in the kernel's
listen queue), a DNSBL answer while the list or the resolver is down.

Usage: smtp_crosscheck.py [-v] SCENARIO.json TRACE.jsonl [SCENARIO.json TRACE.jsonl ...]
Prints "ok NAME: ..." or "FAIL NAME: ..." per scenario (per session too with -v), the details of
every disagreement, and "smtp_crosscheck: N passed, M failed". Exit status 0 when none failed,
1 when one did, 2 on bad usage or an unreadable input.
"""

import base64
import ipaddress
import json
import logging
import os
import socket
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

LOOPBACK = "127.0.0.1"
SOCKET_TIMEOUT_S = 5.0            # every socket operation of the replay
MAX_STEPS_PER_SCENARIO = 100000   # bounds the replay loop (the shipped ones need under 1000)
MAX_BODY_BYTES = 64 * 1024 * 1024  # above this the DATA body is a stand-in, with SIZE= kept

# Postfix and postgrey defaults (docs/scenario-format.md; docs/design/mail-facts.md).
DEFAULT_MESSAGE_SIZE_LIMIT = 10240000
DEFAULT_QUOTA_BYTES = 51200000
GREYLIST_DEFAULTS = {"delay_s": 300, "max_age_days": 35, "auto_whitelist": 5}
POSTGREY_RETRY_WINDOW_S = 2 * 86400   # postgrey --retry-window
POSTGREY_AWL_MIN_GAP_S = 3600          # postgrey counts a client at most once an hour

# Known disagreements between mailsim and a Postfix configured from the scenario, so that this
# test passes while the gap is open. Keep it short: each entry is (scenario, message, client,
# server, command word) -> why. An entry that no longer disagrees FAILS, so the list stays true.
EXPECTED_DISAGREEMENTS = {
    # (scenario, message, client node, server node, step): "why mailsim differs". Empty: every
    # shipped scenario agrees. An entry that stops disagreeing fails the run, so the list stays
    # honest. (The last one, a submission server accepting more than its announced SIZE, was
    # fixed: outgoing servers now enforce message_size_limit.)
}


def reply_class(code):
    return None if code is None else code // 100


def command_word(line):
    return line.split(" ", 1)[0].upper()


def size_param(line):
    """The SIZE= of a MAIL FROM line, or None."""
    for part in line.split()[2:]:
        if part.upper().startswith("SIZE=") and part[5:].isdigit():
            return int(part[5:])
    return None


def split_address(addr):
    local, _, domain = addr.rpartition("@")
    return local, domain.lower()


def norm_address(addr):
    local, domain = split_address(addr)
    return f"{local}@{domain}"


# ---------------------------------------------------------------------------------------------
# The scenario: what the reference servers need to know about it.

class Scenario:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        self.name = os.path.basename(path)[:-5] if path.endswith(".json") else os.path.basename(path)
        self.nodes = {n["id"]: n for n in doc["nodes"]}
        self.actions = sorted(doc.get("actions", []), key=lambda a: a["at_s"])
        self.blocklists = {}
        for bl in doc.get("dns", {}).get("blocklists", []):
            self.blocklists[bl["zone"].lower().rstrip(".")] = set(bl.get("listed", []))
        self.mailboxes = {}   # address -> {"quota": bytes (0 = none), "used": bytes}
        self.mailbox_store = {}
        for node in doc["nodes"]:
            if node["kind"] != "store":
                continue
            for box in node.get("mailboxes", []):
                addr = norm_address(box["address"])
                self.mailboxes[addr] = {"quota": box.get("quota_bytes", DEFAULT_QUOTA_BYTES),
                                        "used": box.get("used_bytes", 0)}
                self.mailbox_store[addr] = node["id"]

    def outages(self, node_id, mode=None):
        """(start_s, end_s or None, mode) of each outage of node_id."""
        out = []
        for a in self.actions:
            if a["do"] == "outage" and a["node"] == node_id:
                m = a.get("mode", "refuse")
                if mode is None or m == mode:
                    out.append((a["at_s"], a.get("until_s"), m))
        return out

    def down_at(self, node_id, t, mode=None):
        return any(s <= t and (e is None or t < e) for s, e, _ in self.outages(node_id, mode))

    def dns_failing_at(self, name, t):
        name = name.lower()
        for a in self.actions:
            if a["do"] != "dns_failure":
                continue
            zone = a["name"].lower()
            if (name == zone or name.endswith("." + zone)) and a["at_s"] <= t and \
                    (a.get("until_s") is None or t < a["until_s"]):
                return True
        return False


# ---------------------------------------------------------------------------------------------
# The reference server's policy: what a Postfix configured from the scenario answers.

class Clock:
    """Simulated time, set by the replay before each step; read by the handlers."""
    def __init__(self):
        self.now_s = 0.0


class ReferencePolicy:
    """The Postfix + postgrey + quota-status configuration of one scenario (all its servers share
    the greylist databases per server and the mailboxes of the stores)."""

    def __init__(self, scenario, clock):
        self.sc = scenario
        self.clock = clock
        self.used = {a: box["used"] for a, box in scenario.mailboxes.items()}
        self.delivered = {}        # (address, msg id) -> bytes, for "delete msg"
        self.next_action = 0
        self.greylist = {}         # server id -> {(net, sender, rcpt): entry}
        self.awl = {}              # server id -> {client ip: [count, last_count_s]}
        self.not_comparable = []   # reasons, filled while a step is evaluated

    def advance(self):
        """Applies the scripted deletes up to the clock."""
        acts = self.sc.actions
        while self.next_action < len(acts) and acts[self.next_action]["at_s"] <= self.clock.now_s:
            a = acts[self.next_action]
            self.next_action += 1
            if a["do"] != "delete":
                continue
            user = norm_address(a["user"])
            if user not in self.used:
                continue
            if "bytes" in a:
                freed = a["bytes"]
            else:
                freed = self.delivered.pop((user, a["msg"]), 0)
            self.used[user] = max(0, self.used[user] - freed)

    # -- MAIL --------------------------------------------------------------------------------
    def size_limit(self, server):
        node = self.sc.nodes[server]
        if node["kind"] == "incoming":
            return node.get("message_size_limit", DEFAULT_MESSAGE_SIZE_LIMIT)
        return DEFAULT_MESSAGE_SIZE_LIMIT   # an outgoing node has no key: Postfix's default

    def check_mail(self, server, size):
        if size is not None and size > self.size_limit(server):
            return "552 5.3.4 Message size exceeds fixed limit"
        return "250 2.1.0 Ok"

    # -- RCPT --------------------------------------------------------------------------------
    def check_rcpt(self, server, client, sender, rcpt, size):
        self.advance()
        node = self.sc.nodes[server]
        if node["kind"] == "outgoing":
            return self._check_rcpt_submission(node, rcpt)
        return self._check_rcpt_relay(node, client, sender, rcpt, size)

    def _check_rcpt_submission(self, node, rcpt):
        # permit_sasl_authenticated lets any domain through; smtpd_reject_unlisted_recipient
        # still refuses an unknown user of the server's own domains (local_recipient_maps).
        addr = norm_address(rcpt)
        _, domain = split_address(addr)
        local = [d.lower() for d in node.get("local_domains", [])]
        if domain in local and addr not in self.sc.mailboxes:
            return f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"
        return "250 2.1.5 Ok"

    def _check_rcpt_relay(self, node, client, sender, rcpt, size):
        # smtpd_recipient_restrictions = reject_unauth_destination, reject_rbl_client ZONE...,
        # reject_unlisted_recipient, check_policy_service (quota-status),
        # check_policy_service (postgrey): the order of docs/design/mail-facts.md.
        addr = norm_address(rcpt)
        _, domain = split_address(addr)
        if domain not in [d.lower() for d in node["domains"]]:
            return f"554 5.7.1 <{rcpt}>: Relay access denied"
        client_ip = self.sc.nodes[client].get("ip")
        for zone in node.get("dnsbl", []):
            zone = zone.lower().rstrip(".")
            resolver = node.get("resolver")
            if (resolver and self.sc.down_at(resolver, self.clock.now_s)) or \
                    self.sc.dns_failing_at(zone, self.clock.now_s):
                self.not_comparable.append(f"DNSBL {zone} unreachable in simulated time")
                continue
            if client_ip in self.sc.blocklists.get(zone, set()):
                return (f"554 5.7.1 Service unavailable; Client host [{client_ip}] "
                        f"blocked using {zone}")
        if addr not in self.sc.mailboxes:
            return f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"
        box = self.sc.mailboxes[addr]
        if box["quota"] and self.used[addr] + (size or 0) > box["quota"]:
            if node.get("quota_policy", "temporary") == "permanent":
                return f"552 5.2.2 <{rcpt}>: Mailbox is full"
            return f"452 4.2.2 <{rcpt}>: Mailbox full"
        if not self._greylist_passes(node, client_ip, sender, addr):
            return f"450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted"
        return "250 2.1.5 Ok"

    def _greylist_passes(self, node, client_ip, sender, rcpt):
        """postgrey 1.37: key = client /24, sender, recipient (--lookup-by-subnet)."""
        conf = node.get("greylist", False)
        if conf is False:
            return True
        conf = dict(GREYLIST_DEFAULTS, **(conf if isinstance(conf, dict) else {}))
        now = self.clock.now_s
        db = self.greylist.setdefault(node["id"], {})
        awl = self.awl.setdefault(node["id"], {})
        if conf["auto_whitelist"] and awl.get(client_ip, [0, 0])[0] >= conf["auto_whitelist"]:
            return True
        net = str(ipaddress.ip_network(f"{client_ip}/24", strict=False))
        key = (net, sender.lower(), rcpt.lower())
        entry = db.get(key)
        if entry is not None and now - entry["last"] > conf["max_age_days"] * 86400:
            entry = None
        if entry is None or (not entry["passed"] and now - entry["first"] > POSTGREY_RETRY_WINDOW_S):
            db[key] = {"first": now, "last": now, "passed": False}
            return False
        entry["last"] = now
        if now - entry["first"] < conf["delay_s"]:
            return False
        if not entry["passed"]:
            entry["passed"] = True
            count = awl.setdefault(client_ip, [0, -POSTGREY_AWL_MIN_GAP_S])
            if now - count[1] >= POSTGREY_AWL_MIN_GAP_S:
                count[0] += 1
                count[1] = now
        return True

    # -- end of DATA -------------------------------------------------------------------------
    def accept_data(self, server, rcpts, size, msg):
        self.advance()
        if self.sc.nodes[server]["kind"] == "incoming":
            for r in rcpts:
                addr = norm_address(r)
                if addr in self.used:
                    self.used[addr] += size
                    self.delivered[(addr, msg)] = self.delivered.get((addr, msg), 0) + size
        return "250 2.0.0 Ok: queued"


class Handler:
    """aiosmtpd hooks: every decision is ReferencePolicy's; `peers` maps the client socket's port
    to the session it carries (the replay registers it right after connecting)."""

    def __init__(self, server, policy, peers):
        self.server_id = server
        self.policy = policy
        self.peers = peers

    def _session(self, session):
        return self.peers.get(session.peer[1]) if session.peer else None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        size = None
        for opt in mail_options:
            if opt.upper().startswith("SIZE="):
                size = int(opt[5:])
        reply = self.policy.check_mail(self.server_id, size)
        if reply.startswith("250"):
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            envelope.size_bytes = size
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        ctx = self._session(session)
        if ctx is None:
            return "451 4.3.0 unknown session (replay bug)"
        reply = self.policy.check_rcpt(self.server_id, ctx.client, envelope.mail_from or "",
                                       address, getattr(envelope, "size_bytes", None))
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        ctx = self._session(session)
        return self.policy.accept_data(self.server_id, envelope.rcpt_tos,
                                       len(envelope.content or b""), ctx.msg if ctx else "")


def authenticate_anyone(server, session, envelope, mechanism, auth_data):
    # A scenario has no passwords: every client that authenticates is the user it claims.
    return AuthResult(success=True)


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def start_server(scenario, server, policy, peers):
    node = scenario.nodes[server]
    submission = node["kind"] == "outgoing"
    kwargs = {"data_size_limit": policy.size_limit(server), "server_hostname": server,
              "ident": "ESMTP Postfix", "timeout": 30}
    if submission:
        kwargs.update(authenticator=authenticate_anyone, auth_require_tls=False)
    for _ in range(5):
        port = free_loopback_port()
        ctl = Controller(Handler(server, policy, peers), hostname=LOOPBACK, port=port,
                         ready_timeout=5.0, **kwargs)
        try:
            ctl.start()
            return ctl
        except (OSError, TimeoutError, RuntimeError):
            continue
    raise RuntimeError(f"cannot start a reference server for {server} on {LOOPBACK}")


# ---------------------------------------------------------------------------------------------
# The trace, cut into sessions.

class Step:
    """One thing the client does (connect, or send a command) and the reply mailsim recorded."""
    def __init__(self, t, arrive, line):
        self.t = t
        self.arrive = arrive
        self.line = line          # None for the connection itself
        self.code = None          # mailsim's reply code; None when it recorded none
        self.reply = None
        self.reply_t = None       # when mailsim's server sent the reply
        self.conn_result = None   # "refused" or "timeout" for a connection that never opened

    def word(self):
        return "CONNECT" if self.line is None else command_word(self.line)


class Session:
    def __init__(self, client, server, msg, index):
        self.client = client
        self.server = server
        self.msg = msg
        self.index = index
        self.steps = []
        self.ended = False

    def label(self):
        return f"#{self.index} {self.client} -> {self.server} ({self.msg})"


def read_trace(path):
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        events = [json.loads(line) for line in f if line.strip()]
    kinds = {n["id"]: n["kind"] for n in header["nodes"]}
    sessions, open_by_key, problems = [], {}, []

    def find_open(client, server, msg):
        s = open_by_key.get((client, server, msg))
        if s is not None:
            return s
        # A session that carries another message than the one it opened for: the endpoints
        # decide, when they name exactly one open session.
        cands = [v for (c, sv, _), v in open_by_key.items() if c == client and sv == server]
        return cands[0] if len(cands) == 1 else None

    def close(s):
        s.ended = True
        open_by_key.pop((s.client, s.server, s.msg), None)

    for e in events:
        kind = e["kind"]
        if kind == "conn":
            result = e["result"]
            if result == "open":
                key = (e["from"], e["to"], e["msg"])
                if key in open_by_key:
                    problems.append(f"t={e['t']:.6f}: a second connection {key} opens before the first ends")
                s = Session(e["from"], e["to"], e["msg"], len(sessions) + 1)
                s.steps.append(Step(e["t"], e.get("arrive", e["t"]), None))
                sessions.append(s)
                open_by_key[key] = s
            elif result in ("refused", "timeout", "closed"):
                # refused: from the server to the client; timeout: from the client.
                ends = (e.get("to"), e["from"]) if result == "refused" else (e["from"], e.get("to"))
                s = find_open(ends[0], ends[1], e["msg"]) if ends[1] else None
                if s is None:
                    cands = [v for (c, _, m), v in open_by_key.items()
                             if c == e["from"] and m == e["msg"]]
                    s = cands[0] if len(cands) == 1 else None
                if s is None:
                    problems.append(f"t={e['t']:.6f}: conn {result} matches no open session")
                    continue
                if result != "closed":
                    s.steps[-1].conn_result = result
                close(s)
            # "queued": the connection waits for a free smtpd; its greeting comes later.
        elif kind == "smtp":
            if e["dir"] == "cmd":
                s = find_open(e["from"], e["to"], e["msg"])
                if s is None:
                    problems.append(f"t={e['t']:.6f}: command {e['line']!r} outside any session")
                    continue
                s.steps.append(Step(e["t"], e["arrive"], e["line"]))
            else:
                s = find_open(e["to"], e["from"], e["msg"])
                if s is None:
                    problems.append(f"t={e['t']:.6f}: reply {e['line']!r} outside any session")
                    continue
                # Replies come in the order of the commands (with PIPELINING several commands
                # are out before the first reply): the reply is the earliest step's without one.
                step = next((st for st in s.steps if st.code is None), None)
                if step is None:
                    problems.append(f"t={e['t']:.6f}: two replies to one step in {s.label()}")
                    continue
                step.code, step.reply, step.reply_t = e["code"], e["line"], e["t"]
                if e["code"] == 221 or e["code"] == 421:
                    close(s)
    return kinds, sessions, problems


# ---------------------------------------------------------------------------------------------
# The replay.

class Conn:
    """The client side of one replayed session: a socket to the reference server."""
    def __init__(self, port, timeout_s):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout_s)
        self.sock.settimeout(timeout_s)
        self.buf = b""

    def local_port(self):
        return self.sock.getsockname()[1]

    def read_reply(self):
        """(code, text) of one possibly multi-line reply; (None, why) if the server closed."""
        lines = []
        for _ in range(1000):
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None, "connection closed by the reference server"
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            text = line.decode("utf-8", "replace")
            lines.append(text)
            if len(text) < 4 or text[3] != "-":
                try:
                    return int(text[:3]), "\n".join(lines)
                except ValueError:
                    return None, "unparsable reply: " + text
        return None, "a reply of more than 1000 lines"

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def body_of(size):
    """A message body of `size` bytes in CRLF lines of at most 79 bytes, none a lone dot (a
    message of 1 byte becomes 3)."""
    line = b"X" * 76 + b"\r\n"
    full, tail = divmod(size, len(line))
    if tail == 0:
        return line * full
    if tail == 1:
        return line * (full - 1) + b"X" * 77 + b"\r\n" if full else b"X\r\n"
    return line * full + b"X" * (tail - 2) + b"\r\n"


class SessionResult:
    def __init__(self, session):
        self.session = session
        self.compared = 0
        self.not_comparable = []   # (step word, reason)
        self.failures = []         # text
        self.expected = []         # (key, text): listed disagreements that did disagree
        self.diverged = None       # the step word after which the two servers no longer agree


def session_busy_at(session, t):
    """Whether the session holds one of its server's smtpd processes at time t: from its 220
    greeting to its last reply (for good if the trace ends first)."""
    greeting = session.steps[0]
    if greeting.code != 220 or greeting.reply_t > t:
        return False
    last = max((st.reply_t for st in session.steps if st.reply_t is not None), default=None)
    return not session.ended or last is None or t < last


def explain_uncomparable(sc, session, step, sessions):
    """The reason a step cannot be replayed, or None when it can. Also returns a failure text when
    mailsim's answer is one the scenario cannot explain."""
    server = session.server
    if step.conn_result == "refused":
        if sc.down_at(server, step.arrive, "refuse"):
            return f"connection refused: {server} is down (outage, refuse) in simulated time", None
        return None, f"connection refused, but the scenario has no refuse outage of {server} at {step.arrive:.6f}"
    if step.conn_result == "timeout":
        if sc.down_at(server, step.arrive, "timeout"):
            return f"connection timed out: {server} is down (outage, timeout) in simulated time", None
        return None, f"connection timed out, but the scenario has no timeout outage of {server} at {step.arrive:.6f}"
    if step.line is None and step.code == 421:
        node = sc.nodes[server]
        conc = node.get("concurrency", 100)
        busy = sum(1 for o in sessions if o is not session and o.server == server and
                   session_busy_at(o, step.arrive))
        if busy >= conc:
            return (f"421 at the greeting: {busy} sessions busy, concurrency {conc}, backlog "
                    f"{node.get('backlog', 100)} (mailsim's own overload model)"), None
        return None, f"421 at the greeting with only {busy} of {conc} sessions busy"
    if step.line is None and sc.down_at(server, step.arrive):
        return None, f"{server} answered while the scenario has it down"
    if step.code is None:
        return "mailsim recorded no reply to this step (the run ended)", None
    return None, None


def replay_scenario(sc, trace_path):
    kinds, sessions, problems = read_trace(trace_path)
    clock = Clock()
    policy = ReferencePolicy(sc, clock)
    peers = {}
    servers = {}
    results = {s.index: SessionResult(s) for s in sessions}
    ctx_fail = list(problems)

    # Which sessions we replay: relay (outgoing -> incoming) and submission (client -> outgoing).
    replayable = []
    for s in sessions:
        pair = (kinds.get(s.client), kinds.get(s.server))
        if pair in (("outgoing", "incoming"), ("client", "outgoing")):
            replayable.append(s)
        else:
            results[s.index].not_comparable.append(("SESSION", f"a {pair[0]} -> {pair[1]} session"))

    # Every step of every session, in the time it reaches the server: interleaved sessions stay
    # interleaved, so the reference sees the same order of events as mailsim's server did.
    timeline = []
    for s in replayable:
        for i, step in enumerate(s.steps):
            timeline.append((step.arrive, s.index, i, s))
    timeline.sort(key=lambda x: (x[0], x[1], x[2]))
    if len(timeline) > MAX_STEPS_PER_SCENARIO:
        ctx_fail.append(f"{len(timeline)} steps, more than the {MAX_STEPS_PER_SCENARIO} this replays")
        timeline = []

    conns = {}
    mail_sizes = {}
    try:
        for _, _, i, s in timeline:
            r = results[s.index]
            step = s.steps[i]
            if i == 0:
                why, bad = explain_uncomparable(sc, s, step, sessions)
                if bad:
                    r.failures.append(f"CONNECT: {bad}")
                    continue
                if why:
                    r.not_comparable.append(("CONNECT", why))
                    continue
                if s.server not in servers:
                    servers[s.server] = start_server(sc, s.server, policy, peers)
                clock.now_s = step.arrive
                conn = Conn(servers[s.server].port, SOCKET_TIMEOUT_S)
                peers[conn.local_port()] = s
                conns[s.index] = conn
                code, text = conn.read_reply()
                compare(sc, s, step, "CONNECT", code, text, r)
                continue
            if r.diverged:
                r.not_comparable.append((step.word(), f"after the disagreement at {r.diverged}, "
                                         "the two sessions are in different states"))
                continue
            conn = conns.get(s.index)
            if conn is None:
                r.not_comparable.append((step.word(), "the session's connection was not replayed"))
                continue
            why, bad = explain_uncomparable(sc, s, step, sessions)
            if bad:
                r.failures.append(f"{step.word()}: {bad}")
                continue
            if why:
                r.not_comparable.append((step.word(), why))
                continue
            clock.now_s = step.arrive
            word = step.word()
            if word == "MAIL":
                size = size_param(step.line)
                mail_sizes[s.index] = size
            if word == "AUTH":
                user = sc.nodes.get(s.client, {}).get("address", s.client)
                cred = base64.b64encode(f"\0{user}\0password".encode()).decode()
                conn.send(f"AUTH PLAIN {cred}\r\n".encode())
            elif step.line == ".":
                size = mail_sizes.get(s.index) or 0
                if size > MAX_BODY_BYTES:
                    size = 1024
                conn.send(body_of(size) + b".\r\n")
            else:
                conn.send(step.line.encode() + b"\r\n")
            code, text = conn.read_reply()
            compare(sc, s, step, word, code, text, r)
            if code is None or code == 221 or code == 421 or r.diverged:
                conn.close()
                conns.pop(s.index, None)
    except (OSError, socket.timeout) as exc:
        ctx_fail.append(f"the replay stopped: {exc}")
    finally:
        for conn in conns.values():
            conn.close()
        for ctl in servers.values():
            ctl.stop()

    return sessions, replayable, results, ctx_fail


def compare(sc, s, step, word, code, text, r):
    key = (sc.name, s.msg, s.client, s.server, word)
    listed = key in EXPECTED_DISAGREEMENTS
    mine = reply_class(step.code)
    theirs = reply_class(code)
    if mine == theirs:
        r.compared += 1
        if listed:
            r.failures.append(f"{word}: listed as an expected disagreement ({EXPECTED_DISAGREEMENTS[key]}), "
                              f"but both answer class {mine}: take it off EXPECTED_DISAGREEMENTS")
        return
    detail = (f"{word}: {(step.line or '(connect)')!r}\n"
              f"         mailsim:  {step.code} {step.reply!r}\n"
              f"         aiosmtpd: {code} {text!r}")
    if listed:
        r.compared += 1
        r.expected.append((EXPECTED_DISAGREEMENTS[key], detail))
    else:
        r.failures.append(detail)
    r.diverged = word


def report(sc, sessions, replayable, results, ctx_fail, verbose):
    """Prints the scenario's lines; returns True when it passed."""
    lines = []
    compared = sum(r.compared for r in results.values())
    nc = [(s, w, why) for s in sessions for (w, why) in results[s.index].not_comparable]
    fails = [(s, f) for s in sessions for f in results[s.index].failures]
    expected = [(s, why, d) for s in sessions for (why, d) in results[s.index].expected]
    relay = sum(1 for s in replayable if s.steps and sc.nodes[s.server]["kind"] == "incoming")
    sub = len(replayable) - relay
    ok = not fails and not ctx_fail
    if not sessions:
        summary = "no SMTP session in the trace (0 relay, 0 submission sessions): nothing to compare"
    else:
        summary = (f"{relay} relay + {sub} submission sessions, {compared} steps agree in class, "
                   f"{len(nc)} not comparable, {len(expected)} expected disagreement(s)")
        if relay == 0:
            summary += "; no relay session in this scenario"
    lines.append(("ok" if ok else "FAIL") + f" crosscheck {sc.name}: {summary}")
    for msg in ctx_fail:
        lines.append(f"     trace: {msg}")
    for s, f in fails:
        lines.append(f"     session {s.label()}: {f}")
    for s, why, d in expected:
        lines.append(f"     expected disagreement, session {s.label()}: {why}")
        lines.append(f"       {d}")
    reasons = {}
    for s, w, why in nc:
        reasons.setdefault(why, []).append(f"{s.index}:{w}")
    for why, where in reasons.items():
        lines.append(f"     not comparable ({len(where)}): {why}")
    if verbose:
        for s in sessions:
            r = results[s.index]
            state = "FAIL" if r.failures else "ok"
            words = " ".join(f"{st.word()}={st.code}" for st in s.steps)
            lines.append(f"     {state} {s.label()}: {r.compared} agree, "
                         f"{len(r.not_comparable)} not comparable: {words}")
    print("\n".join(lines), flush=True)
    return ok


def main(argv):
    # aiosmtpd logs every odd line and warns about its own deprecated attributes: the report is
    # this script's output, not the server's log.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore", DeprecationWarning)
    verbose = False
    args = []
    for a in argv[1:]:
        if a in ("-v", "--verbose"):
            verbose = True
        else:
            args.append(a)
    if not args or len(args) % 2:
        print(__doc__.strip().splitlines()[-5], file=sys.stderr)
        return 2
    passed = failed = 0
    for sc_path, trace_path in zip(args[::2], args[1::2]):
        try:
            sc = Scenario(sc_path)
            outcome = replay_scenario(sc, trace_path)
        except (OSError, ValueError, KeyError) as exc:
            print(f"FAIL crosscheck {sc_path}: cannot read it or its trace: {exc!r}")
            failed += 1
            continue
        if report(sc, *outcome, verbose):
            passed += 1
        else:
            failed += 1
    print(f"smtp_crosscheck: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
