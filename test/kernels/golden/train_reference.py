#!/usr/bin/python3
"""Independent training reference, written from specs/lasa.md §2–§5 and §12 only: PyTorch autograd gradients.

Reads config.json + model.safetensors (own header parser), builds the model in torch (float64 for gradients),
computes loss = mean cross-entropy over the targets + aux_coef * Mixtral's load-balancing loss (router rows of all
layers concatenated), and prints JSON with every tensor's gradient (base64 of little-endian float64).

Usage (Debian's /usr/bin/python3 with python3-torch and python3-numpy):
  /usr/bin/python3 test/kernels/golden/train_reference.py grads MODEL_DIR BATCH_JSON > test/kernels/golden/train-grads.json
      BATCH_JSON: {"tokens": [...], "targets": [...], "starts": [...], "aux_coef": c}
  /usr/bin/python3 test/kernels/golden/train_reference.py lora-grads MODEL_DIR BATCH_JSON ADAPTER.safetensors ALPHA
      LoRA (specs/lasa.md §12.5): every `lora.NAME.A` (r, in) / `lora.NAME.B` (out, r) of the adapter file replaces
      the weight NAME.weight by W + (ALPHA / r) * B @ A; prints the gradients of the adapter tensors only
  /usr/bin/python3 test/kernels/golden/train_reference.py bench MODEL_DIR BATCH SEQ STEPS THREADS
      tokens/s of forward + backward + AdamW in float32 on CPU (prints one JSON line)
"""
import base64, json, struct, sys, time
import numpy as np
import torch


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
        dt = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}[t["dtype"]]
        out[name] = np.frombuffer(data[b:e], dtype=dt).astype(np.float64).reshape(t["shape"])
    return out


def config_of(cfg):
    L = cfg["num_hidden_layers"]
    win = cfg.get("lasa_window")
    wins = [None] * L if win is None else (win if isinstance(win, list) else [win] * L)
    return dict(D=cfg["hidden_size"], H=cfg["num_attention_heads"], KV=cfg.get("num_key_value_heads", cfg["num_attention_heads"]),
                hd=cfg.get("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"]), E=cfg["num_local_experts"],
                K=cfg["num_experts_per_tok"], eps=cfg.get("rms_norm_eps", 1e-5), theta=cfg.get("rope_theta", 1e6), L=L,
                wins=wins, G=cfg.get("lasa_global_tokens", 0) if win is not None else 0, lasa=win is not None,
                tied=cfg.get("tie_word_embeddings", False))


def rmsnorm(x, w, eps):
    return w * (x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps))


def rope(x, pos, theta):  # x (T, heads, d); rotate_half; ω_m rounded to binary32 as kernels/ops.ts does
    d = x.shape[-1]
    inv = torch.tensor([float(np.float32(1.0 / theta ** (2 * m / d))) for m in range(d // 2)], dtype=torch.float64)
    ang = (pos[:, None] * inv[None, :]).to(x.dtype)
    cos = torch.cat([ang.cos(), ang.cos()], -1)[:, None, :]
    sin = torch.cat([ang.sin(), ang.sin()], -1)[:, None, :]
    rot = torch.cat([-x[..., d // 2 :], x[..., : d // 2]], -1)
    return x * cos + rot * sin


def layer_params(W, c, l):
    p = f"model.layers.{l}."
    g = lambda n: W[p + n]
    return dict(attn_norm=g("input_layernorm.weight"), wq=g("self_attn.q_proj.weight"), wk=g("self_attn.k_proj.weight"),
                wv=g("self_attn.v_proj.weight"), wo=g("self_attn.o_proj.weight"), slope=W.get(p + "self_attn.lasa_slope"),
                ffn_norm=g("post_attention_layernorm.weight"), gate=g("block_sparse_moe.gate.weight"),
                w1=[g(f"block_sparse_moe.experts.{e}.w1.weight") for e in range(c["E"])],
                w2=[g(f"block_sparse_moe.experts.{e}.w2.weight") for e in range(c["E"])],
                w3=[g(f"block_sparse_moe.experts.{e}.w3.weight") for e in range(c["E"])])


def forward_loss(W, c, tokens, targets, starts, aux_coef):
    """Mean CE over targets + aux_coef * load balancing; sequences laid end to end, each from position 0."""
    dtype = W["model.embed_tokens.weight"].dtype
    x = W["model.embed_tokens.weight"][tokens]
    n = len(tokens)
    router_logits = []
    for l in range(c["L"]):
        P = layer_params(W, c, l)
        h = rmsnorm(x, P["attn_norm"], c["eps"])
        outs = []
        for s in range(len(starts) - 1):
            a, b = starts[s], starts[s + 1]
            T = b - a
            pos = torch.arange(T, dtype=torch.float64)
            q = rope((h[a:b] @ P["wq"].T).reshape(T, c["H"], c["hd"]), pos, c["theta"])
            k = rope((h[a:b] @ P["wk"].T).reshape(T, c["KV"], c["hd"]), pos, c["theta"])
            v = (h[a:b] @ P["wv"].T).reshape(T, c["KV"], c["hd"])
            i = torch.arange(T)[:, None]
            j = torch.arange(T)[None, :]
            win = c["wins"][l]
            mask = (j <= i) & (((j < c["G"]) | (i - j < win)) if win is not None else torch.ones(T, T, dtype=torch.bool))
            dist = torch.log2(1 + (i - j).clamp(min=0).to(dtype))
            o = []
            for hh in range(c["H"]):
                kv = hh // (c["H"] // c["KV"])
                sc = q[:, hh] @ k[:, kv].T / c["hd"] ** 0.5
                if c["lasa"]:
                    sc = sc - torch.nn.functional.softplus(P["slope"][hh]) * dist
                sc = sc.masked_fill(~mask, float("-inf"))
                o.append(torch.softmax(sc, -1) @ v[:, kv])
            outs.append(torch.stack(o, 1).reshape(T, c["H"] * c["hd"]))
        x = x + torch.cat(outs, 0) @ P["wo"].T
        h = rmsnorm(x, P["ffn_norm"], c["eps"])
        logits = h @ P["gate"].T
        router_logits.append(logits)
        prob = torch.softmax(logits, -1)
        top_p, top_i = torch.topk(prob, c["K"], dim=-1)
        gains = top_p / top_p.sum(-1, keepdim=True)
        y = torch.zeros_like(x)
        for e in range(c["E"]):
            rows, slot = torch.nonzero(top_i == e, as_tuple=True)
            if rows.numel() == 0:
                continue
            he = h[rows]
            ye = (torch.nn.functional.silu(he @ P["w1"][e].T) * (he @ P["w3"][e].T)) @ P["w2"][e].T
            y = y.index_add(0, rows, gains[rows, slot][:, None] * ye)
        x = x + y
    x = rmsnorm(x, W["model.norm.weight"], c["eps"])
    head = W["model.embed_tokens.weight"] if c["tied"] else W["lm_head.weight"]
    logits = x @ head.T
    keep = targets >= 0
    ce = torch.nn.functional.cross_entropy(logits[keep], targets[keep])
    # Mixtral / Hugging Face load_balancing_loss_func: all layers' router rows concatenated.
    cat = torch.cat(router_logits, 0)
    rw = torch.softmax(cat, -1)
    _, sel = torch.topk(rw, c["K"], dim=-1)
    mask = torch.nn.functional.one_hot(sel, c["E"]).to(dtype)
    aux = torch.sum(mask.mean(0) * rw.mean(0).unsqueeze(0)) * c["E"]
    return ce + aux_coef * aux, ce, aux


def grads(model_dir, batch_path):
    cfg = json.load(open(f"{model_dir}/config.json"))
    c = config_of(cfg)
    raw = read_safetensors(f"{model_dir}/model.safetensors")
    W = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in raw.items()}
    b = json.load(open(batch_path))
    loss, ce, aux = forward_loss(W, c, torch.tensor(b["tokens"]), torch.tensor(b["targets"]), b["starts"], b["aux_coef"])
    loss.backward()
    out = {"loss": loss.item(), "ce": ce.item(), "aux": aux.item(), "torch": torch.__version__, "grads": {}}
    for k in sorted(W):
        g = W[k].grad.detach().numpy().astype("<f8")
        out["grads"][k] = base64.b64encode(g.tobytes()).decode()
    print(json.dumps(out, indent=0))


def lora_grads(model_dir, batch_path, adapter_path, alpha):
    cfg = json.load(open(f"{model_dir}/config.json"))
    c = config_of(cfg)
    W = {k: torch.tensor(v, dtype=torch.float64) for k, v in read_safetensors(f"{model_dir}/model.safetensors").items()}
    AB = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in read_safetensors(adapter_path).items()}
    for name in sorted({k[len("lora."):-len(".A")] for k in AB if k.endswith(".A")}):
        A, B = AB[f"lora.{name}.A"], AB[f"lora.{name}.B"]
        W[f"{name}.weight"] = W[f"{name}.weight"] + (alpha / A.shape[0]) * (B @ A)
    b = json.load(open(batch_path))
    loss, ce, aux = forward_loss(W, c, torch.tensor(b["tokens"]), torch.tensor(b["targets"]), b["starts"], b["aux_coef"])
    loss.backward()
    out = {"loss": loss.item(), "ce": ce.item(), "aux": aux.item(), "torch": torch.__version__, "grads": {}}
    for k in sorted(AB):
        out["grads"][k] = base64.b64encode(AB[k].grad.detach().numpy().astype("<f8").tobytes()).decode()
    print(json.dumps(out, indent=0))


def bench(model_dir, batch, seq, steps, threads):
    torch.set_num_threads(threads)
    cfg = json.load(open(f"{model_dir}/config.json"))
    c = config_of(cfg)
    raw = read_safetensors(f"{model_dir}/model.safetensors")
    W = {k: torch.tensor(v, dtype=torch.float32, requires_grad=True) for k, v in raw.items()}
    opt = torch.optim.AdamW(W.values(), lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, 256, (batch * seq,), generator=g)
    targets = torch.roll(tokens, -1)
    starts = [s * seq for s in range(batch + 1)]
    times = []
    for _ in range(steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss, _, _ = forward_loss(W, c, tokens, targets, starts, 0.001)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(W.values(), 1.0)
        opt.step()
        times.append(time.perf_counter() - t0)
    dt = sum(times[1:]) / steps  # the first step warms up
    print(json.dumps({"torch": torch.__version__, "threads": threads, "tokens_per_s": batch * seq / dt, "seconds_per_step": dt}))


if __name__ == "__main__":
    if sys.argv[1] == "grads":
        grads(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "lora-grads":
        lora_grads(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
    elif sys.argv[1] == "bench":
        bench(sys.argv[2], *map(int, sys.argv[3:7]))
    else:
        sys.exit(__doc__)
