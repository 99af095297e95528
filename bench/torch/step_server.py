"""The PyTorch reference step as a persistent child of `ledgerlab bench train`, so its steps run in the same
rounds as LedgerLab's (the timing engine alternates them). One request per line on stdin, one JSON reply per
line on stdout:

  load {"arch": "llama", "method": "lora", "threads": 1, "layers": 8, "d": 512, ...}
      -> {"ok": true, "trainable": N, "torch": "1.13.1", "threads": 1, "processThreads": 3, "python": "3.11.2",
          "env": {"OPENBLAS_NUM_THREADS": "1", ...}}
  step  -> {"wall_ms": 2056.1, "cpu_ms": 2055.8}      one training step (wall: perf_counter; CPU: process_time)
  quit  -> exits

A failure replies {"error": "..."}. Thread counts must be in the environment before torch loads
(OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS: Debian's torch calls a pthread OpenBLAS that ignores
torch.set_num_threads); the parent sets them. The model code is llama_step.py / ref_step.py / hf_step.py (a
checkpoint directory: arch "hf", dir, batch, seq), each module's make_step.
"""
import importlib, json, os, platform, sys, time

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def load(cfg):
    # The model scripts read their sizes from sys.argv (key=value) when imported.
    sys.argv = [sys.argv[0]] + [f"{k}={v}" for k, v in cfg.items() if k not in ("arch", "method")]
    mod = importlib.import_module({"llama": "llama_step", "hf": "hf_step"}.get(cfg.get("arch"), "ref_step"))
    step, trainable = mod.make_step(cfg["method"])
    tasks = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    info = {"ok": True, "trainable": trainable, "torch": mod.torch.__version__, "threads": mod.THREADS, "processThreads": tasks,
            "python": platform.python_version(), "env": {k: os.environ.get(k) for k in THREAD_VARS}}
    return step, info


def main():
    step = None
    for line in sys.stdin:
        cmd, _, rest = line.strip().partition(" ")
        try:
            if cmd == "load":
                step, info = load(json.loads(rest))
                reply(info)
            elif cmd == "step":
                if step is None:
                    reply({"error": "step before load"})
                    continue
                t0, c0 = time.perf_counter(), time.process_time()
                step()
                reply({"wall_ms": (time.perf_counter() - t0) * 1000, "cpu_ms": (time.process_time() - c0) * 1000})
            elif cmd == "quit":
                break
            else:
                reply({"error": f"unknown command {cmd!r}"})
        except Exception as e:  # reported to the parent, which turns it into a LedgerLabError
            reply({"error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
