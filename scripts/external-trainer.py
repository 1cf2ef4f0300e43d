#!/usr/bin/python3
"""An example external trainer for `aip tune --trainer external` (specs/tune-v1.md §1.1), for the bundled model.

Reads the manifest AIP wrote (argv[1] or $AIP_TUNE_MANIFEST), loads the parent's config.json and model.safetensors,
fine-tunes on the SFT file (TRL's conversational prompt-completion layout) with Adam in float32 — a real forward of the
engine's architecture: the PyTorch reference of specs/lasa.md (test/kernels/golden/train_reference.py, forward_loss) —
and writes the output safetensors with exactly the parent's tensor names, shapes and dtypes.

It stands in for the operator's own trainer (TRL, a cluster job) on a model this machine can hold; AIP records what
went in and what came out, and the run is site-attested, not replayable (PyTorch reorders sums).

Usage (Debian's /usr/bin/python3 with python3-torch and python3-numpy; no safetensors package needed):
  aip tune --dir DIR --from COMMITMENT --bundle ID --trainer external --steps 4 --batch 2 --lr 0.001 \
      --command "/usr/bin/python3 $PWD/scripts/external-trainer.py"
"""
import json, os, struct, sys
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "kernels", "golden"))
from train_reference import config_of, forward_loss  # noqa: E402  (the independent PyTorch reference of the engine)

BOS, EOS = 256, 257  # bytes-v1 tokenizer (kernels/tokenizer.ts)
NP_DTYPE = {"F32": "<f4", "F16": "<f2"}
TORCH_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """Tensors in file order: (name, dtype, shape, float32 torch tensor)."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = []
    for name, t in sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = t["data_offsets"]
        if t["dtype"] == "BF16":
            bits = np.frombuffer(data[b:e], dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(data[b:e], dtype=NP_DTYPE[t["dtype"]]).astype(np.float32)
        out.append((name, t["dtype"], t["shape"], torch.tensor(arr.reshape(t["shape"]))))
    return out


def write_safetensors(path, tensors):
    """tensors: (name, dtype, shape, torch tensor); header 8-byte aligned with spaces, data in the given order."""
    header, blobs, offset = {}, [], 0
    for name, dtype, shape, t in tensors:
        if dtype == "BF16":
            b = (t.detach().to(torch.bfloat16).view(torch.int16).numpy().astype("<i2")).tobytes()
        else:
            b = t.detach().to(TORCH_DTYPE[dtype]).numpy().astype(NP_DTYPE[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(tmp, path)


def example(row):
    """T3's template: BOS "User: " prompt "\\nAssistant: " answer EOS, the loss on the answer and EOS."""
    prompt = [m["content"] for m in row["prompt"] if m["role"] == "user"][-1]
    context = [BOS] + list(f"User: {prompt}\nAssistant: ".encode())
    tokens = context + list(row["completion"][0]["content"].encode()) + [EOS]
    targets = [tokens[i + 1] if i >= len(context) - 1 else -1 for i in range(len(tokens) - 1)] + [-1]
    return tokens, targets


def main():
    manifest_path = sys.argv[1] if len(sys.argv) > 1 else os.environ["AIP_TUNE_MANIFEST"]
    m = json.load(open(manifest_path))
    assert m["format"] == "aip-tune-external/1", m["format"]
    opts = m["options"]
    torch.manual_seed(opts["seed"])
    torch.set_num_threads(1)
    c = config_of(json.load(open(m["parent"]["config"])))
    parent = read_safetensors(m["parent"]["weights"])
    W = {name: t.clone().requires_grad_(True) for name, _, _, t in parent}
    sft = [f for f in m["data"] if f["type"] == "sft"][0]
    rows = [json.loads(line) for line in open(sft["path"], encoding="utf-8")]
    examples = [example(r) for r in rows]
    opt = torch.optim.Adam(W.values(), lr=opts["lr"])
    g = torch.Generator().manual_seed(opts["seed"])
    for step in range(1, opts["steps"] + 1):
        pick = torch.randperm(len(examples), generator=g)[: opts["batch"]].tolist()
        tokens, targets, starts = [], [], [0]
        for i in pick:
            tokens += examples[i][0]
            targets += examples[i][1]
            starts.append(len(tokens))
        opt.zero_grad()
        loss, ce, aux = forward_loss(W, c, torch.tensor(tokens), torch.tensor(targets), starts, 0.001)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(W.values(), 1.0)
        opt.step()
        print(json.dumps({"step": step, "batch": pick, "loss": loss.item(), "ce": ce.item()}), flush=True)
    write_safetensors(m["output"]["path"], [(name, dtype, shape, W[name]) for name, dtype, shape, _ in parent])
    print(json.dumps({"wrote": m["output"]["path"], "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
