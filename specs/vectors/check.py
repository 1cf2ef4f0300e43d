#!/usr/bin/python3
"""Independent checker for the AIP v1 test vectors, written from specs/aip-v1.md alone.

Usage: /usr/bin/python3 specs/vectors/check.py [vectors-dir]
Needs Debian's python3-cbor2 and python3-nacl (cross-checks only; decoding, Ed25519 verification, IDs, schemas and the
trust state are implemented here in pure Python). Exit status 0 when every vector gives its expected outcome.
"""
import base64
import hashlib
import json
import os
import re
import sys

import cbor2
import nacl.bindings
import nacl.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_ENVELOPE_BYTES = 262144
MAX_DEPTH = 16
MAX_ITEMS = 65536
MAX_INT = 2**53 - 1
MAX_SKEW = 300000
SHORT, LONG = 256, 16384
PPM = 1000000
LIMITS = {
    "federation-charter": 65536, "charter-approval": 1024, "site-certificate": 2048, "revocation": 20480,
    "retraction": 20480, "model-commitment": 16384, "benchmark-suite": 65536, "benchmark-suite-chunk": 262144,
    "benchmark-result": 65536, "alignment-bundle": 262144, "alignment-chunk": 262144, "alignment-review": 20480,
    "transcript": 65536, "transcript-chunk": 262144, "audit-checkpoint": 20480, "audit-equivocation": 40960,
    "tuning-record": 16384,
}
TYPES = {f"application/aip.{k}.v1+cbor": k for k in LIMITS}


class Fail(Exception):
    def __init__(self, action, code, msg=""):
        super().__init__(f"{action} {code}: {msg}")
        self.action, self.code = action, code


def reject(code, msg=""):
    raise Fail("reject", code, msg)


class Link(bytes):
    """A tag-42 link: the binary CID (without the 0x00 prefix)."""


# ---------------------------------------------------------------- §3.1 deterministic CBOR (strict, left to right)
def cbor_decode(b, max_bytes=MAX_ENVELOPE_BYTES):
    if len(b) > max_bytes:
        reject("oversize", "input too large")
    st = {"pos": 0, "items": 0}

    def head():
        p = st["pos"]
        if p >= len(b):
            reject("undecodable", "truncated")
        ib = b[p]
        st["pos"] = p + 1
        major, ai = ib >> 5, ib & 31
        if ai < 24:
            return major, ai
        if ai == 31:
            reject("undecodable" if major == 7 else "non_canonical", "indefinite length")
        if ai > 27:
            reject("undecodable", "reserved")
        n = 1 << (ai - 24)
        if st["pos"] + n > len(b):
            reject("undecodable", "truncated head")
        if major == 7:
            reject("malformed", "float or simple value")
        arg = int.from_bytes(b[st["pos"]:st["pos"] + n], "big")
        st["pos"] += n
        if arg < {24: 24, 25: 256, 26: 65536, 27: 2**32}[ai]:
            reject("non_canonical", "non-shortest head")
        return major, arg

    def take(n):
        if n > len(b) - st["pos"]:
            reject("undecodable", "length exceeds input")
        out = b[st["pos"]:st["pos"] + n]
        st["pos"] += n
        return out

    def text(raw):
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            reject("undecodable", "invalid UTF-8")

    def item(depth):
        st["items"] += 1
        if st["items"] > MAX_ITEMS:
            reject("oversize", "too many items")
        major, arg = head()
        if major == 0:
            if arg > MAX_INT:
                reject("malformed", "integer too large")
            return arg
        if major == 1:
            if arg >= MAX_INT:
                reject("malformed", "integer too small")
            return -1 - arg
        if major == 2:
            return bytes(take(arg))
        if major == 3:
            return text(take(arg))
        if major in (4, 5, 6) and depth >= MAX_DEPTH:
            reject("oversize", "too deep")
        if major == 4:
            return [item(depth + 1) for _ in range(arg)]
        if major == 5:
            out, prev = {}, None
            for _ in range(arg):
                st["items"] += 1
                km, kl = head()
                if km != 3:
                    reject("malformed", "non-text key")
                kb = take(kl)
                if prev is not None:
                    if kb == prev:
                        reject("undecodable", "duplicate key")
                    if (len(prev), prev) > (len(kb), kb):
                        reject("non_canonical", "unsorted keys")
                prev = kb
                out[text(kb)] = item(depth + 1)
            return out
        if major == 6:
            if arg != 42:
                reject("malformed", f"tag {arg}")
            m, n = head()
            if m != 2:
                reject("undecodable", "tag 42 content not bstr")
            raw = take(n)
            if len(raw) < 2 or raw[0] != 0:
                reject("undecodable", "tag 42 without 00 prefix")
            return Link(raw[1:])
        if arg == 20:
            return False
        if arg == 21:
            return True
        if arg == 22:
            return None
        reject("malformed", "undefined or simple value")

    v = item(0)
    if st["pos"] != len(b):
        reject("undecodable", "trailing bytes")
    return v


def cbor_encode(v):
    """AIP deterministic CBOR encoder (for weights-root leaves and the Sig_structure)."""
    def h(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if v is None:
        return b"\xf6"
    if isinstance(v, int):
        return h(0, v) if v >= 0 else h(1, -1 - v)
    if isinstance(v, Link):
        return h(6, 42) + h(2, len(v) + 1) + b"\x00" + v
    if isinstance(v, bytes):
        return h(2, len(v)) + v
    if isinstance(v, str):
        e = v.encode()
        return h(3, len(e)) + e
    if isinstance(v, list):
        return h(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        keys = sorted((k.encode() for k in v), key=lambda k: (len(k), k))
        return h(5, len(keys)) + b"".join(cbor_encode(k.decode()) + cbor_encode(v[k.decode()]) for k in keys)
    raise TypeError(type(v))


# ---------------------------------------------------------------- §3.3 Ed25519 (RFC 8032, pure Python)
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def padd(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A, B = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    C, Dd = t1 * 2 * D * t2 % P, z1 * 2 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def pmul(s, p):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = padd(q, p)
        p = padd(p, p)
        s >>= 1
    return q


def pencode(p):
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def pdecode(s):
    """RFC 8032 §5.1.3 decoding; None if not a canonical encoding of a point."""
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        if sign:
            return None
        x = 0
    else:
        x = pow(x2, (P + 3) // 8, P)
        if (x * x - x2) % P != 0:
            x = x * SQRT_M1 % P
        if (x * x - x2) % P != 0:
            return None
        if (x & 1) != sign:
            x = P - x
    return (x, y, 1, x * y % P)


BASE = pdecode((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))
IDENTITY_ENC = pencode((0, 1, 1, 0))


def key_check(a):
    pt = pdecode(a)
    if pt is None:
        return "non_canonical"
    if pencode(pmul(8, pt)) == IDENTITY_ENC:
        return "small_order"
    return "ok"


_verify_cache = {}


def verify(a, msg, sig):
    """Spec §3.3 rules 1–5: 'ok' | 'weak_key' | 'bad_signature'."""
    k = (a, msg, sig)
    if k in _verify_cache:
        return _verify_cache[k]
    if len(a) != 32 or key_check(a) != "ok":
        res = "weak_key"
    elif len(sig) != 64 or int.from_bytes(sig[32:], "little") >= L:
        res = "bad_signature"
    else:
        R = sig[:32]
        rpt = pdecode(R)
        if rpt is not None and pencode(pmul(8, rpt)) == IDENTITY_ENC:
            res = "bad_signature"  # rule 4: small-order R
        else:
            S = int.from_bytes(sig[32:], "little")
            kk = int.from_bytes(hashlib.sha512(R + a + msg).digest(), "little") % L
            A = pdecode(a)
            negkA = pmul(kk, ((P - A[0]) % P, A[1], 1, (P - A[0]) * A[1] % P))
            res = "ok" if pencode(padd(pmul(S, BASE), negkA)) == R else "bad_signature"
    _verify_cache[k] = res
    return res


def sodium_verify(a, msg, sig):
    try:
        nacl.bindings.crypto_sign_open(sig + msg, a)
        return True
    except (nacl.exceptions.BadSignatureError, ValueError, nacl.exceptions.CryptoError):
        return False


# ---------------------------------------------------------------- §3.4 IDs
def record_id(b):
    cid = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(b).digest()
    return "b" + base64.b32encode(cid).decode().lower().rstrip("=")


def link_str(link):
    if len(link) != 36 or link[:4] != bytes([0x01, 0x55, 0x12, 0x20]):
        reject("malformed", "link is not a raw sha2-256 CIDv1")
    return "b" + base64.b32encode(link).decode().lower().rstrip("=")


# ---------------------------------------------------------------- §3.2 envelope
def parse_envelope(b):
    pos = [0]

    def byte(v, what):
        if pos[0] >= len(b):
            reject("undecodable", f"truncated before {what}")
        if b[pos[0]] != v and b[pos[0]] & 0x1F == 31 and 2 <= b[pos[0]] >> 5 <= 5:
            reject("non_canonical", f"indefinite length where {what} belongs")
        if b[pos[0]] != v:
            reject("bad_envelope", what)
        pos[0] += 1

    def bstr(src, major, what):
        if pos[0] >= len(src):
            reject("undecodable", f"truncated before {what}")
        ib = src[pos[0]]
        pos[0] += 1
        if ib >> 5 != major:
            reject("bad_envelope", f"{what} type")
        ai = ib & 31
        if ai < 24:
            n = ai
        elif ai in (24, 25, 26):
            size = 1 << (ai - 24)
            if pos[0] + size > len(src):
                reject("undecodable", "truncated length")
            n = int.from_bytes(src[pos[0]:pos[0] + size], "big")
            pos[0] += size
            if n < {24: 24, 25: 256, 26: 65536}[ai]:
                reject("non_canonical", f"{what} length not shortest")
        elif ai == 31:
            reject("non_canonical", "indefinite")
        else:
            reject("bad_envelope", "length form")
        if n > len(src) - pos[0]:
            reject("undecodable", f"{what} exceeds input")
        out = src[pos[0]:pos[0] + n]
        pos[0] += n
        return out

    byte(0xD2, "tag 18")
    byte(0x84, "array(4)")
    prot = bstr(b, 2, "protected")
    byte(0xA0, "empty unprotected map")
    payload = bstr(b, 2, "payload")
    sig = bstr(b, 2, "signature")
    if len(sig) != 64:
        reject("bad_envelope", "signature length")
    if pos[0] != len(b):
        reject("undecodable", "trailing bytes")
    outer, pos[0] = pos[0], 0
    for v, what in ((0xA3, "map(3)"), (0x01, "label 1"), (0x32, "alg -19"), (0x03, "label 3")):
        if pos[0] >= len(prot) or prot[pos[0]] != v:
            reject("bad_envelope", what)
        pos[0] += 1
    ct = bstr(prot, 3, "content type")
    if pos[0] >= len(prot) or prot[pos[0]] != 0x04:
        reject("bad_envelope", "label 4")
    pos[0] += 1
    kid = bstr(prot, 2, "kid")
    if len(kid) != 32 or pos[0] != len(prot):
        reject("bad_envelope", "kid / extra labels")
    try:
        ct = ct.decode("utf-8")
    except UnicodeDecodeError:
        reject("undecodable", "content type")
    pos[0] = outer
    return prot, ct, kid, payload, sig


def sig_structure(prot, payload):
    return cbor_encode(["Signature1", prot, b"", payload])


# ---------------------------------------------------------------- §3.5, §4 schemas
def mal(msg):
    reject("malformed", msg)


def fields(m, req, opt=()):
    if not isinstance(m, dict):
        mal("not a map")
    for k in req:
        if k not in m:
            mal(f"missing {k}")
    for k in m:
        if k not in req and k not in opt:
            mal(f"unknown field {k}")
    return m


def uint(v, hi=MAX_INT):
    if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > hi:
        mal("uint")
    return v


def txt(v, hi=SHORT, lo=1):
    if not isinstance(v, str) or not (lo <= len(v.encode()) <= hi):
        mal("text")
    return v


def rx(v, pattern, hi=SHORT):
    if not re.fullmatch(pattern, txt(v, hi)):
        mal(f"text not matching {pattern}")
    return v


def bst(v, n):
    if not isinstance(v, bytes) or isinstance(v, Link) or len(v) != n:
        mal("bstr")
    return v


def pubkey(v):
    bst(v, 32)
    if key_check(v) != "ok":
        reject("weak_key", "listed or certified key")
    return v


def link(v):
    if not isinstance(v, Link):
        mal("link")
    link_str(v)
    return v


def lst(v, lo, hi):
    if not isinstance(v, list) or not (lo <= len(v) <= hi):
        mal("list size")
    return v


def params(v, req, hi):
    if not isinstance(v, dict) or len(v) > hi:
        mal("param map")
    for k in req:
        if k not in v:
            mal(f"missing {k}")
    for k, x in v.items():
        txt(k)
        if isinstance(x, str):
            txt(x, SHORT, 0)
        elif isinstance(x, bool):
            pass
        else:
            uint(x)
    return v


NATION, ROLE = r"[A-Z]{2}", r"[a-z][a-z0-9_-]*"

# §3.5 language tags: RFC 5646 §2.1 ABNF, no repeated variant or singleton, registered variants (list: protocol/language-tag.ts)
_VARIANTS = set(re.findall(r"[0-9a-z]{4,8}", open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "protocol", "language-tag.ts")).read().split("REGISTERED_VARIANTS")[1].split("new Set((")[1].split(".split")[0]))
assert len(_VARIANTS) == 134, len(_VARIANTS)
_GRANDFATHERED = set("en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao i-tay i-tsu sgn-be-fr sgn-be-nl sgn-ch-de art-lojban cel-gaulish no-bok no-nyn zh-guoyu zh-hakka zh-min zh-min-nan zh-xiang".split())
_LANGTAG = re.compile(r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?(?P<v>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)(?P<e>(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*)(?:-x(?:-[a-z0-9]{1,8})+)?$")
def lang(v):
    if not isinstance(v, str) or not 1 <= len(v) <= 64 or not re.fullmatch(r"[A-Za-z0-9-]+", v):
        mal("language")
    t = v.lower()
    if t in _GRANDFATHERED or re.fullmatch(r"x(?:-[a-z0-9]{1,8})+", t):
        return v
    m = _LANGTAG.match(t)
    vs = [x for x in m["v"].split("-") if x] if m else []
    ss = re.findall(r"-([0-9a-wy-z])(?=-)", m["e"]) if m else []
    if not m or any(x not in _VARIANTS for x in vs) or len(set(vs)) != len(vs) or len(set(ss)) != len(ss):
        mal("language")
    return v


def unique(xs, what):
    if len(set(xs)) != len(xs):
        mal(f"duplicate {what}")


def check_item_suite(x):
    fields(x, ["id", "category", "language", "prompt", "split", "expected"], ["continuations"])
    txt(x["id"]); txt(x["category"]); lang(x["language"]); txt(x["prompt"], LONG, 1)
    if x["split"] not in ("train", "heldout") or x["expected"] not in ("refuse", "comply"):
        mal("enum")
    if "continuations" in x:
        c = fields(x["continuations"], ["refusal", "compliance"])
        txt(c["refusal"], LONG, 1); txt(c["compliance"], LONG, 1)


KIND_FIELDS = {"red-team": (["category"], ["expected"]), "preference": (["chosen", "rejected"], ["category", "context"]),
               "refusal-exemplar": (["response"], ["category", "context"])}
TLP = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
RESTRICTED = ("TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")


def sorted_unique(xs, what):
    for a, b in zip(xs, xs[1:]):
        if not a < b:
            mal(what + " not sorted and unique")


def check_audience(a, label):
    """alignment-v1 §2 R1."""
    fields(a, [], ["sites"] if label != "TLP:AMBER" else ["nations", "groups", "sites"])
    if not a:
        mal("empty audience")
    if "nations" in a:
        for x in lst(a["nations"], 1, 64):
            rx(x, NATION)
        sorted_unique(a["nations"], "audience.nations")
    if "groups" in a:
        for g in lst(a["groups"], 1, 16):
            fields(g, ["name", "nations"]); txt(g["name"])
            for x in lst(g["nations"], 1, 64):
                rx(x, NATION)
            sorted_unique(g["nations"], "group nations")
        sorted_unique([g["name"] for g in a["groups"]], "audience.groups")
    if "sites" in a:
        for k in lst(a["sites"], 1, 64):
            pubkey(k)
        sorted_unique([bytes(k) for k in a["sites"]], "audience.sites")


def check_align_items(kind, items):
    lst(items, 1, 256)
    req, opt = KIND_FIELDS[kind]
    for x in items:
        fields(x, ["id", "language", "prompt"] + req, opt)
        txt(x["id"]); lang(x["language"]); txt(x["prompt"], LONG, 1)
        for k in ("chosen", "rejected", "response"):
            if k in x:
                txt(x[k], LONG, 1)
        if "category" in x:
            txt(x["category"])
        if "expected" in x and x["expected"] not in ("refuse", "comply"):
            mal("expected")
        if "context" in x:
            for turn in lst(x["context"], 1, 64):
                fields(turn, ["role", "content"]); txt(turn["content"], LONG, 1)
                if turn["role"] not in ("system", "user", "assistant"):
                    mal("context role")
    unique([x["id"] for x in items], "item id")


def check_body(t, m):
    if t.startswith("audit-"):
        check_audit(t, m)
    elif t == "federation-charter":
        fields(m, ["name", "members", "quorum", "predecessor"]); txt(m["name"])
        for x in lst(m["members"], 1, 256):
            fields(x, ["nation", "root_key"]); rx(x["nation"], NATION); pubkey(x["root_key"])
        unique([x["nation"] for x in m["members"]], "nation"); unique([x["root_key"] for x in m["members"]], "root")
        if uint(m["quorum"], len(m["members"])) < 1:
            mal("quorum")
        if m["predecessor"] is not None:
            link(m["predecessor"])
    elif t == "charter-approval":
        fields(m, ["charter"]); link(m["charter"])
    elif t == "site-certificate":
        fields(m, ["site_key", "nation", "roles", "not_before", "not_after"], ["name"])
        for r in lst(m["roles"], 0, 16):
            rx(r, ROLE, 64)
        unique(m["roles"], "role")
        nb, na = uint(m["not_before"]), uint(m["not_after"])
        if na <= nb or na - nb > 5 * 366 * 24 * 3600 * 1000:
            mal("validity window")
        pubkey(m["site_key"]); rx(m["nation"], NATION)
        if "name" in m:
            txt(m["name"])
    elif t == "revocation":
        fields(m, ["effective_from", "reason"], ["target_key", "target"])
        if ("target_key" in m) == ("target" in m):
            mal("exactly one target")
        uint(m["effective_from"]); txt(m["reason"], LONG, 0)
        if "target_key" in m:
            bst(m["target_key"], 32)
        else:
            link(m["target"])
    elif t == "retraction":
        fields(m, ["target", "reason"]); link(m["target"]); txt(m["reason"], LONG, 0)
    elif t == "model-commitment":
        fields(m, ["name", "weights_root", "config_sha256", "architecture", "params_total", "params_active_per_token"], ["parent", "ledger_root", "tuning"])
        arch = params(m["architecture"], ["family"], 64)
        if not isinstance(arch["family"], str) or arch["family"] == "":
            mal("family")
        txt(m["name"]); bst(m["weights_root"], 32); bst(m["config_sha256"], 32)
        if uint(m["params_active_per_token"]) > uint(m["params_total"]):
            mal("active > total")
        if "parent" in m:
            link(m["parent"])
        if "ledger_root" in m:
            bst(m["ledger_root"], 32)
        if "tuning" in m:
            if "parent" not in m or "ledger_root" not in m:
                mal("tuning without parent and ledger_root")
            link(m["tuning"])
    elif t == "tuning-record":
        fields(m, ["parent", "weights_root", "ledger_root", "bundles", "data_count", "steps", "trainer", "replayable"])
        link(m["parent"]); bst(m["weights_root"], 32); bst(m["ledger_root"], 32)
        seen = set()
        for c in lst(m["bundles"], 1, 64):
            link(c)
            if link_str(c) in seen:
                mal("duplicate bundle")
            seen.add(link_str(c))
        uint(m["data_count"]); uint(m["steps"]); txt(m["trainer"])
        if not isinstance(m["replayable"], bool):
            mal("replayable")
    elif t == "benchmark-suite":
        fields(m, ["name", "version", "description", "item_count", "chunks"])
        for c in lst(m["chunks"], 1, 1024):
            link(c)
        n = uint(m["item_count"], 1024 * 256)
        if n < 1 or n > len(m["chunks"]) * 256:
            mal("item_count")
        txt(m["name"]); txt(m["version"]); txt(m["description"], LONG, 0)
    elif t == "benchmark-suite-chunk":
        fields(m, ["items"])
        for x in lst(m["items"], 1, 256):
            check_item_suite(x)
        unique([x["id"] for x in m["items"]], "item id")
    elif t == "benchmark-result":
        fields(m, ["suite", "model", "weights_root", "engine", "decoding", "seed", "item_count", "scores", "overall_ppm", "transcript_root", "method"])
        eng = params(m["engine"], ["backend", "version", "model_name"], 32)
        for k in ("backend", "version", "model_name"):
            if not isinstance(eng[k], str):
                mal(f"engine.{k}")
        for k in ("runtime", "cpu"):
            if k in eng and not isinstance(eng[k], str):
                mal(f"engine.{k}")
        for r in lst(m["scores"], 0, 256):
            fields(r, ["category", "n", "score_ppm", "ci_low_ppm", "ci_high_ppm"]); txt(r["category"]); uint(r["n"])
            if not uint(r["ci_low_ppm"], PPM) <= uint(r["score_ppm"], PPM) <= uint(r["ci_high_ppm"], PPM):
                mal("ci order")
        unique([r["category"] for r in m["scores"]], "category")
        link(m["suite"]); link(m["model"]); bst(m["weights_root"], 32); dec = params(m["decoding"], ["mode", "max_tokens", "temperature"], 32)
        if dec["mode"] not in ("likelihood", "generative"):
            mal("decoding.mode")
        if isinstance(dec["max_tokens"], bool) or not isinstance(dec["max_tokens"], int):
            mal("decoding.max_tokens")
        if not (isinstance(dec["temperature"], str) and re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?", dec["temperature"])):
            mal("decoding.temperature")
        uint(m["seed"]); uint(m["item_count"]); uint(m["overall_ppm"], PPM); bst(m["transcript_root"], 32); txt(m["method"])
    elif t == "alignment-bundle":
        fields(m, ["name", "kind", "license", "label", "item_count"], ["items", "chunks", "description", "audience", "embargo_until"])
        if ("items" in m) == ("chunks" in m):
            mal("exactly one of items, chunks")
        if m["label"] not in TLP:
            mal("label")
        if m["label"] in RESTRICTED:
            if "audience" not in m or "items" in m:
                mal("restricted bundle: audience required, chunks only")
            check_audience(m["audience"], m["label"])
        elif "audience" in m:
            mal("audience on an unrestricted label")
        if "embargo_until" in m:
            uint(m["embargo_until"])
            if "items" in m:
                mal("embargoed bundle with inline items")
        if m["kind"] not in KIND_FIELDS:
            mal("kind")
        txt(m["name"]); txt(m["license"]); n = uint(m["item_count"], 1024 * 256)
        if "items" in m:
            check_align_items(m["kind"], m["items"])
            if n != len(m["items"]):
                mal("item_count")
        else:
            for c in lst(m["chunks"], 1, 1024):
                link(c)
            if n < 1 or n > len(m["chunks"]) * 256:
                mal("item_count")
        if "description" in m:
            txt(m["description"], LONG, 0)
    elif t == "alignment-review":
        fields(m, ["bundle", "decision", "reason"]); link(m["bundle"]); txt(m["reason"], LONG, 1)
        if m["decision"] not in ("approve", "reject"):
            mal("decision")
    elif t == "alignment-chunk":
        fields(m, ["kind", "label", "items"], ["embargo_until"])
        if m["label"] not in TLP:
            mal("label")
        if "embargo_until" in m:
            uint(m["embargo_until"])
        if m["kind"] not in KIND_FIELDS:
            mal("kind")
        check_align_items(m["kind"], m["items"])
    elif t == "transcript":  # §4.10
        fields(m, ["result", "item_count", "chunks"])
        link(m["result"])
        for c in lst(m["chunks"], 1, 1024):
            link(c)
        if not len(m["chunks"]) <= uint(m["item_count"]) <= len(m["chunks"]) * 4096:
            mal("item_count")
    elif t == "transcript-chunk":
        fields(m, ["entries"])
        for e in lst(m["entries"], 1, 4096):
            if not isinstance(e, list) or len(e) != 4:
                mal("entry")
            txt(e[0])
            if e[1] not in ("refuse", "comply") or not isinstance(e[2], list) or not isinstance(e[3], bytes):
                mal("entry")
            if any(isinstance(x, bool) or not isinstance(x, int) or not -10**12 <= x <= 0 for x in e[2]):
                mal("entry logprobs")
            if not ((len(e[2]) == 2 and len(e[3]) == 0) or (len(e[2]) == 0 and len(e[3]) == 32)):
                mal("entry evidence")
        unique([e[0] for e in m["entries"]], "entry id")


# ---------------------------------------------------------------- §4.11 audit records (audit-v1 §3, C2SP notes)
AUDIT_ORIGIN = re.compile(r"aip-audit/([A-Z]{2})/([0-9a-f]{16})")


def evidence(msg):
    reject("bad_evidence", msg)


def b64(s):
    try:
        b = base64.b64decode(s, validate=True)
    except ValueError:
        evidence("base64")
    if not s or base64.b64encode(b).decode() != s:
        evidence("non-canonical base64")
    return b


def log_note(log, note):
    """A checkpoint note of `log`'s audit log, its log signature verified: (origin, size, root, lines, nation)."""
    if len(note.encode()) > 65536 or any(ord(c) < 0x20 and c != "\n" for c in note):
        evidence("note size or control characters")
    i = note.rfind("\n\n")
    if i < 0:
        evidence("no blank line")
    text, block = note[:i + 1], note[i + 2:]
    if not block.endswith("\n"):
        evidence("signature block")
    sigs = []
    for line in block[:-1].split("\n"):
        if not line.startswith("\u2014 ") or " " not in line[2:]:
            evidence("signature line")
        name, raw = line[2:].split(" ", 1)
        raw = b64(raw)
        if len(raw) < 5:
            evidence("short signature")
        sigs.append((name, int.from_bytes(raw[:4], "big"), raw[4:]))
    if len(sigs) > 100:
        evidence("too many signatures")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or len(lines) > 11 or any(x == "" for x in lines[3:]):
        evidence("checkpoint lines")
    origin, size, root = lines[0], lines[1], b64(lines[2])
    if not re.fullmatch(r"0|[1-9][0-9]{0,15}", size) or int(size) > MAX_INT or len(root) != 32:
        evidence("checkpoint size or root")
    m = AUDIT_ORIGIN.fullmatch(origin)
    if m is None or m.group(2) != log[:8].hex():
        evidence("origin is not the log of this key")
    kid = int.from_bytes(hashlib.sha256(origin.encode() + b"\n\x01" + log).digest()[:4], "big")
    mine = [s for s in sigs if s[0] == origin and s[1] == kid]
    if not mine:
        evidence("no signature by the log")
    for _, _, sig in mine:
        if len(sig) != 64 or verify(log, text.encode(), sig) != "ok":
            evidence("log signature")
    return origin, int(size), root, len(sigs), m.group(1)


def consistent(m, n, proof, rm, rn):
    """RFC 9162 §2.1.4.2 with 0 < m < n."""
    def h(a, b):
        return hashlib.sha256(b"\x01" + a + b).digest()
    path = [rm] + list(proof) if m & (m - 1) == 0 else list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = h(c, fr), h(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = h(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == rm and sr == rn


def check_audit(t, m):
    if t == "audit-checkpoint":
        fields(m, ["log", "note"])
        log_note(pubkey(m["log"]), txt(m["note"], LONG))
        return
    fields(m, ["log", "a", "b"], ["prefix_root", "proof"])
    log = pubkey(m["log"])
    a, b = txt(m["a"], LONG), txt(m["b"], LONG)
    prefix = bst(m["prefix_root"], 32) if "prefix_root" in m else None
    proof = [bst(x, 32) for x in lst(m["proof"], 1, 128)] if "proof" in m else None
    oa, sa, ra, na, _ = log_note(log, a)
    ob, sb, rb, nb, _ = log_note(log, b)
    if na != 1 or nb != 1 or oa != ob:
        evidence("one log, exactly its signature on each note")
    if sa == sb:
        if prefix is not None or proof is not None or ra >= rb:
            evidence("same size: roots differ, a's smaller, no proof")
        return
    if sa > sb or sa == 0 or prefix is None or proof is None or prefix == ra or not consistent(sa, sb, proof, prefix, rb):
        evidence("the proof does not place another prefix inside b")


# ---------------------------------------------------------------- §6.1 stateless checks
def decode_record(b):
    if len(b) > MAX_ENVELOPE_BYTES:
        reject("oversize")
    prot, ct, kid, payload, sig = parse_envelope(b)
    if ct not in TYPES:
        raise Fail("ignore", "unknown_type", ct)
    t = TYPES[ct]
    if len(b) > LIMITS[t]:
        reject("oversize", "type limit")
    if key_check(kid) != "ok":
        reject("weak_key", "kid")
    m = cbor_decode(payload, LIMITS[t])
    if not isinstance(m, dict):
        mal("payload not a map")
    created = uint(m.get("created"))
    body = {k: v for k, v in m.items() if k != "created"}
    check_body(t, body)
    v = verify(kid, sig_structure(prot, payload), sig)
    if v != "ok":
        reject(v)
    return {"id": record_id(b), "type": t, "signer": kid, "created": created, "body": body}


# ---------------------------------------------------------------- §5 trust state (declarative over the record set)
class Trust:
    def __init__(self, genesis, records):
        self.genesis = genesis
        recs = [decode_record(r) for r in records]
        pool = [r for r in recs if r["type"] == "federation-charter"]
        self.charters = {c["id"]: c for c in pool if c["id"] == genesis}
        self.approvals = [r for r in recs if r["type"] == "charter-approval"]
        self.certs = [r for r in recs if r["type"] == "site-certificate"]
        self.revocations = [r for r in recs if r["type"] == "revocation"]
        self.chain = self.build_chain()
        changed = True
        while changed:  # §5.2: store successors of chain charters proposed by one of their member roots, two at most
            changed = False
            in_chain = {c["id"] for c, _ in self.chain}
            for c in pool:
                pred = c["body"]["predecessor"]
                if c["id"] in self.charters or pred is None or link_str(pred) not in in_chain:
                    continue
                if c["signer"] in self.roots(self.charters[link_str(pred)]) and len(self.successors(link_str(pred))) < 2:
                    self.charters[c["id"]] = c
                    self.chain = self.build_chain()
                    changed = True
                    break
        self.chain_ids = {c["id"] for c, _ in self.chain}

    @staticmethod
    def roots(c):
        return {m["root_key"]: m["nation"] for m in c["body"]["members"]}

    def successors(self, cid):
        return [c for c in self.charters.values() if c["body"]["predecessor"] is not None and link_str(c["body"]["predecessor"]) == cid]

    def build_chain(self):
        if self.genesis not in self.charters:
            return []
        chain = [(self.charters[self.genesis], float("-inf"))]
        while True:
            cur, eff = chain[-1]
            succ = self.successors(cur["id"])
            if len(succ) != 1:
                return chain
            s = succ[0]
            roots = self.roots(cur)
            times = {s["signer"]: s["created"]}
            for a in self.approvals:
                if link_str(a["body"]["charter"]) == s["id"] and a["signer"] in roots:
                    times[a["signer"]] = min(times.get(a["signer"], a["created"]), a["created"])
            q = cur["body"]["quorum"]
            if len(times) < q:
                return chain
            chain.append((s, max(eff, s["created"], sorted(times.values())[q - 1])))

    def charter_at(self, t):
        for c, eff in reversed(self.chain):
            if eff <= t:
                return c
        return None

    def status(self, key, t):
        return self.status_nation(key, t)[:2]

    def status_nation(self, key, t):
        c = self.charter_at(t)
        if c is None:
            return "unknown", None, None
        roots_by_nation = {m["nation"]: m["root_key"] for m in c["body"]["members"]}
        expired = revoked = False
        for cert in self.certs:
            b = cert["body"]
            if b["site_key"] != key or roots_by_nation.get(b["nation"]) != cert["signer"]:
                continue
            if not (b["not_before"] <= t < b["not_after"]):
                expired = True
                continue
            if any(r["body"]["effective_from"] <= t and (
                    ("target_key" in r["body"] and r["body"]["target_key"] == key and r["signer"] in (cert["signer"], key))
                    or ("target" in r["body"] and link_str(r["body"]["target"]) == cert["id"] and r["signer"] == cert["signer"]))
                   for r in self.revocations):
                revoked = True
                continue
            return "ok", b["roles"], b["nation"]
        return ("revoked" if revoked else "expired" if expired else "unknown"), None, None


ROLE_OF = {"model-commitment": "evaluator", "tuning-record": "evaluator", "benchmark-result": "evaluator", "benchmark-suite": "curator",
           "benchmark-suite-chunk": "curator", "alignment-bundle": "curator", "alignment-chunk": "curator",
           "transcript": "evaluator", "transcript-chunk": "evaluator"}


def ignore(code, msg=""):
    raise Fail("ignore", code, msg)


# ---------------------------------------------------------------- §6 full pipeline
def validate(b, now, trust, known):
    if len(b) > MAX_ENVELOPE_BYTES:
        reject("oversize")
    if record_id(b) in known:
        ignore("duplicate")
    r = decode_record(b)
    if r["created"] > now + MAX_SKEW:
        ignore("clock_skew")
    t, body, signer, at = r["type"], r["body"], r["signer"], r["created"]
    if t == "federation-charter":
        if r["id"] == trust.genesis:
            return r
        pred = body["predecessor"]
        if pred is None or link_str(pred) not in trust.chain_ids:
            ignore("charter_unknown")
        if signer not in trust.roots(trust.charters[link_str(pred)]):
            ignore("unknown_issuer")
        if any(s["id"] != r["id"] for s in trust.successors(link_str(pred))):
            ignore("charter_conflict")
        return r
    if t == "charter-approval":
        target = trust.charters.get(link_str(body["charter"]))
        if target is None:
            ignore("charter_unknown")
        pred = target["body"]["predecessor"]
        if pred is None or link_str(pred) not in trust.charters or signer not in trust.roots(trust.charters[link_str(pred)]):
            ignore("unknown_issuer")
        if len(trust.successors(link_str(pred))) > 1:
            ignore("charter_conflict")
        return r
    c = trust.charter_at(at)
    if c is None:
        ignore("charter_unknown")
    if t == "site-certificate":
        if {m["nation"]: m["root_key"] for m in c["body"]["members"]}.get(body["nation"]) != signer:
            ignore("unknown_issuer")
        return r
    if t == "revocation":
        if body.get("target_key") == signer:
            if trust.status(signer, at)[0] == "unknown":
                ignore("unknown_signer")
            return r
        if signer not in trust.roots(c):
            ignore("unknown_issuer")
        return r
    st, roles = trust.status(signer, at)
    if st != "ok":
        ignore({"unknown": "unknown_signer", "expired": "expired_signer", "revoked": "revoked_signer"}[st])
    if t in ROLE_OF and ROLE_OF[t] not in roles:
        ignore("role_missing")
    if t.startswith("audit-"):
        note = body["note"] if t == "audit-checkpoint" else body["a"]
        st, _, nation = trust.status_nation(body["log"], at)
        if st != "ok" or nation != AUDIT_ORIGIN.fullmatch(note[:note.index("\n")]).group(1):
            ignore("unknown_log")
    return r


def outcome(fn):
    try:
        fn()
        return "accept", "ok"
    except Fail as f:
        return f.action, f.code


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else HERE
    def load(name):
        with open(os.path.join(d, name), encoding="utf-8") as f:
            return json.load(f)
    problems, notes = [], []

    recs = load("records.json")
    pool = {i: bytes.fromhex(h) for i, h in recs["record_pool"].items()}
    for i, b in pool.items():
        if record_id(b) != i:
            problems.append(f"record_pool: {i} is not the ID of its bytes")
    trusts = {}
    for v in recs["vectors"]:
        ctx = v["context"]
        key = (ctx["genesis"], tuple(ctx["records"]))
        if key not in trusts:
            trusts[key] = Trust(ctx["genesis"], [pool[i] for i in ctx["records"]])
        b = bytes.fromhex(v["encoded"])
        got = outcome(lambda: validate(b, ctx["now"], trusts[key], set(ctx.get("known", []))))
        want = (v["expected"], v.get("reason", "ok"))
        if got != want:
            problems.append(f"records: {v['description']}: expected {want}, got {got}")
        if record_id(b) != v["id"]:
            problems.append(f"records: {v['description']}: id differs")
        if v["expected"] == "accept":
            prot, _, kid, payload, sig = parse_envelope(b)
            if sig_structure(prot, payload).hex() != v["signing_input"] or payload.hex() != v["payload"] or kid.hex() != v["public_key"]:
                problems.append(f"records: {v['description']}: signing_input/payload/public_key differ")
            if cbor2.loads(payload) is None:
                problems.append(f"records: {v['description']}: cbor2 cannot read the payload")
            if not sodium_verify(kid, sig_structure(prot, payload), sig):
                notes.append(f"libsodium rejects accepted vector: {v['description']}")
        elif v.get("reason") in ("weak_key", "bad_signature"):
            try:
                prot, _, kid, payload, sig = parse_envelope(b)
            except Fail:
                continue
            if (v["reason"] == "bad_signature" or key_check(kid) != "ok") and sodium_verify(kid, sig_structure(prot, payload), sig):
                notes.append(f"libsodium accepts a vector the spec rejects: {v['description']}")

    for i, v in enumerate(load("ed25519-edge-cases.json")["vectors"]):
        a, m, s = (bytes.fromhex(v[k]) for k in ("public_key", "message", "signature"))
        r = verify(a, m, s)
        got = ("accept", "ok") if r == "ok" else ("reject", r)
        if got != (v["expected"], v.get("reason", "ok")):
            problems.append(f"ed25519 #{i}: expected {v['expected']}/{v.get('reason')}, got {got}")
        if sodium_verify(a, m, s) != (r == "ok"):
            notes.append(f"ed25519 #{i}: libsodium says {sodium_verify(a, m, s)}, spec says {r}")

    cb = load("cbor.json")["vectors"]
    for v in cb:
        got = outcome(lambda: cbor_decode(bytes.fromhex(v["encoded"])))[1]
        got = "valid" if got == "ok" else got
        if got != v["expected"]:
            problems.append(f"cbor: {v['description']}: expected {v['expected']}, got {got}")
        if got == "valid":
            b = bytes.fromhex(v["encoded"])
            if cbor_encode(cbor_decode(b)) != b:
                problems.append(f"cbor: {v['description']}: does not re-encode to itself")
            try:
                cbor2.loads(b)
            except Exception as e:  # noqa: BLE001 - any cbor2 failure is worth reporting
                notes.append(f"cbor2 cannot read a valid input ({v['description']}): {e}")

    w = load("weights-root.json")["vectors"]
    tensors = {t["name"]: t for t in w["tensors"]}
    names = sorted(tensors, key=lambda n: n.encode())
    leaves = [cbor_encode([n, tensors[n]["dtype"], tensors[n]["shape"], bytes.fromhex(tensors[n]["sha256"])]) for n in names]

    def mth(ls):
        if not ls:
            return hashlib.sha256(b"").digest()
        if len(ls) == 1:
            return hashlib.sha256(b"\x00" + ls[0]).digest()
        k = 1
        while k * 2 < len(ls):
            k *= 2
        return hashlib.sha256(b"\x01" + mth(ls[:k]) + mth(ls[k:])).digest()
    if names != w["ordered_names"] or [x.hex() for x in leaves] != w["leaves"] or mth(leaves).hex() != w["weights_root"]:
        problems.append("weights-root: recomputation differs")
    if mth([]).hex() != w["empty_root"]:
        problems.append("weights-root: empty root differs")

    n = len(recs["vectors"])
    print(f"records.json: {n} vectors; cbor.json: {len(cb)}; ed25519-edge-cases.json: 12; weights-root.json: 1")
    for x in notes:
        print("note:", x)
    for x in problems:
        print("MISMATCH:", x)
    print("OK" if not problems else f"{len(problems)} mismatches")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
