#!/usr/bin/env python3
"""Independent check of specs/evaluation-v1.md §4.3 (transcript leaves, RFC 9162 root and inclusion proof) and §5
(score_ppm, Wilson interval) against the committed vectors. Follows only the spec; Python standard library only.
Usage: python3 specs/vectors/evaluation-v1/check.py"""
import hashlib, json, os
from decimal import Decimal, getcontext, ROUND_FLOOR, ROUND_CEILING

HERE = os.path.dirname(os.path.abspath(__file__))

def cbor_head(major, n):
    if n < 24: return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size): return bytes([major << 5 | ai]) + n.to_bytes(size, 'big')
    raise ValueError(n)

def cbor(v):  # deterministic CBOR (RFC 8949 §4.2.1) for the types a leaf uses
    if isinstance(v, bool) or v is None: raise TypeError(v)
    if isinstance(v, int): return cbor_head(0, v) if v >= 0 else cbor_head(1, -1 - v)
    if isinstance(v, bytes): return cbor_head(2, len(v)) + v
    if isinstance(v, str): b = v.encode(); return cbor_head(3, len(b)) + b
    if isinstance(v, list): return cbor_head(4, len(v)) + b''.join(cbor(x) for x in v)
    raise TypeError(v)

H = lambda b: hashlib.sha256(b).digest()
def mth(leaves):  # RFC 9162 §2.1.1
    if len(leaves) == 0: return H(b'')
    if len(leaves) == 1: return H(b'\x00' + leaves[0])
    k = 1
    while k * 2 < len(leaves): k *= 2
    return H(b'\x01' + mth(leaves[:k]) + mth(leaves[k:]))

def verify_inclusion(leaf, index, size, proof, root):  # RFC 9162 §2.1.3.2
    if index >= size: return False
    fn, sn, r = index, size - 1, H(b'\x00' + leaf)
    for p in proof:
        if sn == 0: return False
        if fn % 2 == 1 or fn == sn:
            r = H(b'\x01' + p + r)
            while fn % 2 == 0 and fn != 0: fn >>= 1; sn >>= 1
        else:
            r = H(b'\x01' + r + p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root

t = json.load(open(os.path.join(HERE, 'transcript.json')))
leaves = [cbor([o['id'], o['outcome'], o['logprobs'], bytes.fromhex(o['output_sha256'])]) for o in t['outcomes']]
assert [l.hex() for l in leaves] == t['leaves'], 'leaf encoding differs'
assert mth(leaves).hex() == t['root'], 'root differs'
i = t['proof']['index']
assert verify_inclusion(leaves[i], i, len(leaves), [bytes.fromhex(p) for p in t['proof']['path']], bytes.fromhex(t['root']))
print(f'transcript: {len(leaves)} leaves, root and inclusion proof of leaf {i} agree')

getcontext().prec = 80
z = Decimal(49) / Decimal(25)
w = json.load(open(os.path.join(HERE, 'wilson.json')))['vectors']
for v in w:
    k, n = v['k'], v['n']
    if n == 0:
        got = (0, 0, 1_000_000)
    else:
        K, N = Decimal(k), Decimal(n)
        c, s, d = 2 * K + z * z, z * (z * z + 4 * K * (N - K) / N).sqrt(), 2 * (N + z * z)
        lo = max(0, int(((c - s) / d * 10**6).to_integral_value(ROUND_FLOOR)))
        hi = min(10**6, int(((c + s) / d * 10**6).to_integral_value(ROUND_CEILING)))
        got = (10**6 * k // n, lo, hi)
    assert got == (v['score_ppm'], v['ci_low_ppm'], v['ci_high_ppm']), (v, got)
print(f'wilson: {len(w)} vectors agree')
