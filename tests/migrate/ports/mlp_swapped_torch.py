import torch


def build_model():  # the first layer declared Linear(out, in), the TF kernel's [8, 16] read as torch's [out, in]
    return torch.nn.Sequential(torch.nn.Linear(16, 8), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                               torch.nn.Linear(16, 3))
