import torch

FIELDS, FEATURES, FACTORS = 4, 40, 4


class DeepFM(torch.nn.Module):
    def __init__(self, rows=FEATURES, middle=True):
        super().__init__()
        self.embedding = torch.nn.Embedding(rows, FACTORS)
        self.first_order = torch.nn.Embedding(FEATURES, 1)
        hidden = [torch.nn.Linear(FIELDS * FACTORS, 16), torch.nn.BatchNorm1d(16, eps=1e-3), torch.nn.ReLU()]
        if middle:
            hidden += [torch.nn.Linear(16, 16), torch.nn.ReLU()]
        self.deep = torch.nn.Sequential(*hidden, torch.nn.Linear(16, 1))

    def forward(self, ids):
        embedded = self.embedding(ids)  # [batch, fields, k]
        first = self.first_order(ids).sum((1, 2))
        second = 0.5 * (embedded.sum(1).square() - embedded.square().sum(1)).sum(1)
        deep = self.deep(embedded.flatten(1))[:, 0]
        return torch.sigmoid(first + second + deep)


def build_model():
    return DeepFM()


def build_one_partition():  # the port sized its table from the graph's feature_embeddings/part_0 [20, 4]
    return DeepFM(rows=FEATURES // 2)


def build_without_middle_layer():  # the deep part's second hidden layer (deep/dense_1) left out
    return DeepFM(middle=False)
