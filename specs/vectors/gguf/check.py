#!/usr/bin/env python3
"""Independent check of specs/vectors/gguf/weights-root.json, written from specs/gguf-commitment.md alone:
parses the GGUF file bytes (§3), hashes each tensor's bytes, builds the CBOR leaves and the RFC 9162 root (§2).
Standard library only. Usage: python3 specs/vectors/gguf/check.py"""
import hashlib
import json
import math
import os
import struct
import sys

# GGML type id -> (name, elements per block, bytes per block), the subset the vectors use plus F32/F16.
GGML = {0: ("F32", 1, 4), 1: ("F16", 1, 2), 8: ("Q8_0", 32, 34), 12: ("Q4_K", 256, 144)}
SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class Bad(Exception):
    pass


def parse(b):
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(b):
            raise Bad("truncated")
        out = b[pos:pos + n]
        pos += n
        return out

    def u32():
        return struct.unpack("<I", take(4))[0]

    def u64():
        return struct.unpack("<Q", take(8))[0]

    def string():
        return take(u64()).decode("utf-8")

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            it, n = u32(), u64()
            return [value(it) for _ in range(n)]
        return struct.unpack(SCALAR[t], take(struct.calcsize(SCALAR[t])))[0]

    if len(b) < 24:
        raise Bad("truncated")
    if take(4) != b"GGUF":
        raise Bad("bad_header")
    if u32() not in (2, 3):
        raise Bad("bad_header")
    n_t, n_kv = u64(), u64()
    if n_t > 1_000_000 or n_kv > 65_536:
        raise Bad("bad_header")
    meta = {}
    for _ in range(n_kv):
        k = string()
        meta[k] = value(u32())
    align = meta.get("general.alignment", 32)
    infos = []
    for _ in range(n_t):
        name = string()
        ne = [u64() for _ in range(u32())]
        t, off = u32(), u64()
        tname, block, size = GGML[t]
        nbytes = ne[0] // block * size
        for d in ne[1:]:
            nbytes *= d
        infos.append((name, tname, ne, off, nbytes))
    start = (pos + align - 1) // align * align
    for name, tname, ne, off, nbytes in infos:
        if start + off + nbytes > len(b):
            raise Bad("truncated")
    return meta, infos, start


def cbor(v):
    def h(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    if isinstance(v, int):
        return h(0, v)
    if isinstance(v, bytes):
        return h(2, len(v)) + v
    if isinstance(v, str):
        e = v.encode()
        return h(3, len(e)) + e
    return h(4, len(v)) + b"".join(cbor(x) for x in v)


def mth(ls):
    if not ls:
        return hashlib.sha256(b"").digest()
    if len(ls) == 1:
        return hashlib.sha256(b"\x00" + ls[0]).digest()
    k = 1
    while k * 2 < len(ls):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(ls[:k]) + mth(ls[k:])).digest()


def main():
    doc = json.load(open(os.path.join(os.path.dirname(__file__), "weights-root.json")))
    v = doc["vectors"]
    problems = []
    b = bytes.fromhex(v["file_hex"])
    meta, infos, start = parse(b)
    if start != v["data_start"]:
        problems.append("data_start differs")
    digests = {n: hashlib.sha256(b[start + off:start + off + nb]).digest() for n, _, _, off, nb in infos}
    by_name = {i[0]: i for i in infos}
    names = sorted(by_name, key=lambda n: n.encode())
    leaves = [cbor([n, by_name[n][1], by_name[n][2], digests[n]]) for n in names]
    if names != v["ordered_names"] or [x.hex() for x in leaves] != v["leaves"] or mth(leaves).hex() != v["weights_root"]:
        problems.append("weights root: recomputation differs")
    total = sum(math.prod(i[2]) for i in infos)
    e, k = meta["llama.expert_count"], meta["llama.expert_used_count"]
    active = total - sum(math.prod(i[2]) * (e - k) // e for i in infos if "_exps." in i[0])
    if (total, active) != (v["params_total"], v["params_active_per_token"]):
        problems.append(f"parameter counts differ: {(total, active)}")
    for r in doc["rejects"]:
        try:
            parse(bytes.fromhex(r["file_hex"]))
            got = "valid"
        except Bad as x:
            got = str(x)
        if got != r["expected"]:
            problems.append(f"reject '{r['description']}': expected {r['expected']}, got {got}")
    for p in problems:
        print("MISMATCH:", p)
    print(f"gguf/weights-root.json: 1 root, {len(doc['rejects'])} rejects:", "OK" if not problems else f"{len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
