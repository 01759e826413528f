"""Compares because's outputs with transformers on the same HF directories (float32)."""
import sys
import torch
import transformers
from safetensors.torch import load_file

out = sys.argv[1]
print("torch", torch.__version__, "transformers", transformers.__version__, flush=True)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
worst = 0.0
for name in ["llama", "qwen2", "mistral"]:
    d = f"{out}/{name}"
    ref = load_file(f"{d}/because_out.safetensors")
    for dev in ["cpu", "cuda"]:
        m = transformers.AutoModelForCausalLM.from_pretrained(d, torch_dtype=torch.float32, attn_implementation="eager").to(dev).eval()
        ids, mask = ref["ids"].to(dev), ref["mask"].to(dev)
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        with torch.no_grad():
            logits = m(input_ids=ids, attention_mask=mask, position_ids=pos).logits
        keep = mask.bool()
        for key in ["cpu", "gpu"]:
            diff = (logits[keep].cpu() - ref[key][keep.cpu()]).abs().max().item()
            worst = max(worst, diff)
            print(f"{name}: transformers({dev}) vs because({key}) max|diff| = {diff:.3g}", flush=True)
for name in ["bert", "roberta"]:
    d = f"{out}/{name}"
    ref = load_file(f"{d}/because_out.safetensors")
    for dev in ["cpu", "cuda"]:
        m = transformers.AutoModelForSequenceClassification.from_pretrained(d, torch_dtype=torch.float32, attn_implementation="eager").to(dev).eval()
        kw = dict(input_ids=ref["ids"].to(dev), attention_mask=ref["mask"].to(dev))
        if name == "bert":
            kw["token_type_ids"] = ref["types"].to(dev)
        with torch.no_grad():
            o = m(**kw, output_hidden_states=True)
        keep = ref["mask"].bool()
        for suffix in ["", "_gpu"]:
            dh = (o.hidden_states[-1].cpu()[keep] - ref["hidden" + suffix][keep]).abs().max().item()
            dl = (o.logits.cpu() - ref["logits" + suffix]).abs().max().item()
            worst = max(worst, dh, dl)
            print(f"{name}: transformers({dev}) vs because({suffix or 'cpu'}) hidden {dh:.3g} logits {dl:.3g}", flush=True)
print(f"WORST {worst:.3g} -> {'PASS' if worst < 1e-4 else 'FAIL'} (tolerance 1e-4)")
