import torch


class Block(torch.nn.Module):
    """The TF1 block (tests/migrate/tf1_models.transformer): nn.MultiheadAttention fuses the query,
    key and value projections into one in_proj_weight [3d, d]."""

    def __init__(self, d=16, heads=2, d_ff=32, eps=1e-12, eps1=None):
        super().__init__()
        self.attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm1 = torch.nn.LayerNorm(d, eps=eps if eps1 is None else eps1)
        self.ffn1 = torch.nn.Linear(d, d_ff)
        self.ffn2 = torch.nn.Linear(d_ff, d)
        self.norm2 = torch.nn.LayerNorm(d, eps=eps)
        self.head = torch.nn.Linear(d, 3)

    def forward(self, x):
        a, _ = self.attn(x, x, x, need_weights=False)
        h = self.norm1(x + a)
        h = self.norm2(h + self.ffn2(torch.relu(self.ffn1(h))))
        return self.head(h.mean(1))


def build_model():
    return Block()


def build_epsilon_differs():  # the port's first LayerNorm has epsilon 1e-3, not bert's 1e-12
    return Block(eps1=1e-3)
