#!/usr/bin/python3
"""Independent reference for the bundled model, written from specs/lasa.md and specs/aip-v1.md §4.6 only.

Reads config.json + model.safetensors with numpy (own header parser), runs the forward pass in float64 with a
brute-force masked T×T LASA attention, and computes the weights root with hashlib and a hand-written
deterministic CBOR encoder. Prints the golden JSON committed as test/kernels/golden/bundled.json.

Usage: /usr/bin/python3 test/kernels/golden/reference.py MODEL_DIR [TOKENS_JSON] > test/kernels/golden/NAME.json
(needs Debian's python3-numpy; nothing else). Without TOKENS_JSON: 120 tokens of a fixed multilingual text.
"""
import hashlib, json, struct, sys
import numpy as np

DT = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        buf = data[b:e]
        if t["dtype"] == "BF16":
            u = np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            arr = np.frombuffer(buf, dtype=np.dtype(DT[t["dtype"]]).newbyteorder("<"))
        out[name] = (t["dtype"], t["shape"], bytes(buf), arr.astype(np.float64).reshape(t["shape"]))
    return out


# --- deterministic CBOR (RFC 8949 §4.2.1) for [text, text, [uint...], bstr] ---
def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)


def cbor(v):
    if isinstance(v, int):
        return cbor_head(0, v)
    if isinstance(v, bytes):
        return cbor_head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return cbor_head(3, len(b)) + b
    if isinstance(v, list):
        return cbor_head(4, len(v)) + b"".join(cbor(x) for x in v)
    raise TypeError(v)


def mth(leaves):  # RFC 9162 §2.1.1
    if len(leaves) == 0:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def weights_root(tensors):
    names = sorted(tensors, key=lambda s: s.encode())
    return mth([cbor([n, tensors[n][0], tensors[n][1], hashlib.sha256(tensors[n][2]).digest()]) for n in names]).hex()


def rmsnorm(x, w, eps):
    return w * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))


def rope(x, pos, theta):  # x (T, H, D), rotate_half convention
    d = x.shape[-1]
    inv = 1.0 / theta ** (np.arange(0, d, 2) / d)
    ang = pos[:, None] * inv[None, :]  # (T, D/2)
    cos = np.concatenate([np.cos(ang)] * 2, -1)[:, None, :]
    sin = np.concatenate([np.sin(ang)] * 2, -1)[:, None, :]
    rot = np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], -1)
    return x * cos + rot * sin


def forward(cfg, W, tokens):
    T = len(tokens)
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", D // H)
    E, K, eps = cfg["num_local_experts"], cfg["num_experts_per_tok"], cfg["rms_norm_eps"]
    L = cfg["num_hidden_layers"]
    win = cfg.get("lasa_window")
    wins = [float("inf")] * L if win is None else (win if isinstance(win, list) else [win] * L)
    G = cfg.get("lasa_global_tokens", 0) if win is not None else 0
    pos = np.arange(T, dtype=np.float64)
    x = W["model.embed_tokens.weight"][3][tokens]
    for l in range(L):
        p = f"model.layers.{l}."
        w = lambda n: W[p + n][3]
        h = rmsnorm(x, w("input_layernorm.weight"), eps)
        q = rope((h @ w("self_attn.q_proj.weight").T).reshape(T, H, hd), pos, cfg["rope_theta"])
        k = rope((h @ w("self_attn.k_proj.weight").T).reshape(T, KV, hd), pos, cfg["rope_theta"])
        v = (h @ w("self_attn.v_proj.weight").T).reshape(T, KV, hd)
        i, j = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
        mask = (j <= i) & ((j < G) | (i - j < wins[l]))  # K(i), brute force over the full T×T grid
        slope = np.log1p(np.exp(w("self_attn.lasa_slope"))) if win is not None else np.zeros(H)
        out = np.zeros((T, H, hd))
        for hh in range(H):
            kv = hh // (H // KV)
            s = q[:, hh] @ k[:, kv].T / np.sqrt(hd) - slope[hh] * np.log2(1 + np.maximum(i - j, 0))
            s = np.where(mask, s, -np.inf)
            s = np.exp(s - s.max(-1, keepdims=True))
            out[:, hh] = (s / s.sum(-1, keepdims=True)) @ v[:, kv]
        x = x + out.reshape(T, H * hd) @ w("self_attn.o_proj.weight").T
        h = rmsnorm(x, w("post_attention_layernorm.weight"), eps)
        logits = h @ w("block_sparse_moe.gate.weight").T
        prob = np.exp(logits - logits.max(-1, keepdims=True))
        prob /= prob.sum(-1, keepdims=True)
        y = np.zeros_like(x)
        for t in range(T):
            top = sorted(range(E), key=lambda e: (-prob[t, e], e))[:K]  # ties to the lower index
            z = sum(prob[t, e] for e in top)
            for e in top:
                ew = lambda n: w(f"block_sparse_moe.experts.{e}.{n}.weight")
                a = ew("w1") @ h[t]
                y[t] += prob[t, e] / z * (ew("w2") @ (a / (1 + np.exp(-a)) * (ew("w3") @ h[t])))
        x = x + y
    x = rmsnorm(x, W["model.norm.weight"][3], eps)
    head = W["model.embed_tokens.weight" if cfg.get("tie_word_embeddings") else "lm_head.weight"][3]
    return x @ head.T


def main():
    d = sys.argv[1]
    cfg = json.load(open(f"{d}/config.json"))
    W = read_safetensors(f"{d}/model.safetensors")
    if len(sys.argv) > 2:
        tokens = json.loads(sys.argv[2])
    else:
        tokens = [256] + list(("Grüezi! Safety evidence, not weights: 安全評価 — LASA keeps G + W keys. " * 2).encode())[:119]
    logits = forward(cfg, W, tokens)
    total = sum(int(np.prod(t[1])) for t in W.values())
    per_expert = 3 * cfg["intermediate_size"] * cfg["hidden_size"]
    active = total - cfg["num_hidden_layers"] * (cfg["num_local_experts"] - cfg["num_experts_per_tok"]) * per_expert
    rows = {str(r): [float(v) for v in logits[r]] for r in sorted({0, 67, 68, len(tokens) // 2, len(tokens) - 1}) if r < len(tokens)}
    json.dump({
        "description": f"{cfg.get('model_type')} model: logits from test/kernels/golden/reference.py (numpy float64, brute-force masked T×T attention) and the weights root (hashlib + hand-written CBOR)",
        "config_sha256": hashlib.sha256(open(f"{d}/config.json", "rb").read()).hexdigest(),
        "safetensors_sha256": hashlib.sha256(open(f"{d}/model.safetensors", "rb").read()).hexdigest(),
        "tokens": tokens,
        "logits_rows": rows,
        "weights_root": weights_root(W),
        "params_total": total,
        "params_active_per_token": active,
    }, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
