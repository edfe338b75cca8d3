import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4, eps=1e-3)
        self.depthwise = torch.nn.Conv2d(4, 4, 3, groups=4)
        self.head = torch.nn.Linear(4, 3)

    def forward(self, x):  # x: NHWC, as the old model's input
        h = torch.relu(self.bn(self.conv(x.permute(0, 3, 1, 2))))
        h = torch.relu(self.depthwise(h))
        return self.head(h.mean((2, 3)))


def build_model():
    return Net()
