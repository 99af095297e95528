"""The reference training step every bench/torch model script shares (ref_step.py, llama_step.py, hf_step.py):
the trainable parameters chosen by name, the optimizer over them, one fixed batch of random tokens, and a step of
zero_grad, cross-entropy on every position, backward and the optimizer's update."""
import torch
import torch.nn.functional as F


def fixed_batch_step(model, trainable, optimizer, vocab, batch, seq):
    """`trainable(name)` picks the parameters; `optimizer(params)` builds the optimizer. Returns (step, trainable count)."""
    for n, p in model.named_parameters():
        p.requires_grad = trainable(n)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = optimizer(params)
    ids = torch.randint(0, vocab, (batch, seq))
    tgt = torch.randint(0, vocab, (batch, seq))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(ids).view(-1, vocab), tgt.view(-1)).backward()
        opt.step()

    return step, sum(p.numel() for p in params)
