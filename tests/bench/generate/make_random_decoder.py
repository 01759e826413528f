"""Writes a randomly initialised Llama-shaped decoder (Hugging Face layout: config.json,
model.safetensors, tokenizer files copied from a tokenizer directory) for benchmarks.
Usage: make_random_decoder.py OUT_DIR TOKENIZER_DIR [hidden layers heads kv_heads intermediate]"""
import json, os, shutil, struct, sys

import numpy as np

out, tok_dir = sys.argv[1], sys.argv[2]
hidden, layers, heads, kv, inter = (int(x) for x in (sys.argv[3:8] or [512, 7, 8, 4, 1376]))
vocab = json.load(open(os.path.join(tok_dir, "config.json")))["vocab_size"]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(1234)
head_dim = hidden // heads
tensors = {"model.embed_tokens.weight": (vocab, hidden), "model.norm.weight": (hidden,)}
for i in range(layers):
    p = f"model.layers.{i}."
    tensors.update({
        p + "self_attn.q_proj.weight": (hidden, hidden),
        p + "self_attn.k_proj.weight": (kv * head_dim, hidden),
        p + "self_attn.v_proj.weight": (kv * head_dim, hidden),
        p + "self_attn.o_proj.weight": (hidden, hidden),
        p + "mlp.gate_proj.weight": (inter, hidden),
        p + "mlp.up_proj.weight": (inter, hidden),
        p + "mlp.down_proj.weight": (hidden, inter),
        p + "input_layernorm.weight": (hidden,),
        p + "post_attention_layernorm.weight": (hidden,),
    })
header, blobs, offset, n_params = {}, [], 0, 0
for name, shape in tensors.items():
    a = np.ones(shape, np.float32) if len(shape) == 1 else rng.normal(0, 0.02, shape).astype(np.float32)
    b = a.tobytes()
    header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
    n_params += a.size
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(os.path.join(out, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for b in blobs:
        f.write(b)
cfg = json.load(open(os.path.join(tok_dir, "config.json")))
cfg.update({"hidden_size": hidden, "intermediate_size": inter, "num_hidden_layers": layers,
            "num_attention_heads": heads, "num_key_value_heads": kv, "tie_word_embeddings": True,
            "max_position_embeddings": 512})
json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)
for f in ("tokenizer.json", "tokenizer_config.json"):
    if os.path.exists(os.path.join(tok_dir, f)):
        shutil.copy(os.path.join(tok_dir, f), out)
print(f"{out}: {n_params / 1e6:.1f}M parameters")
