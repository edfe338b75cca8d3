"""`graphlint migrate OLD --to NEW`: a TF1 checkpoint mapped onto a Keras 3 or PyTorch rewrite,
its coverage checked, the weights converted (graphlint/migrate/, docs/migrate.md)."""

from __future__ import annotations

import argparse

from graphlint.commands import _options as opt

NAMES = ("migrate",)


def add_parsers(sub) -> None:
    m = sub.add_parser("migrate", help="map a TF1 checkpoint onto a Keras 3 or PyTorch rewrite; check coverage; convert",
                       description="Map every weight of a rewrite of the model (Keras 3 or PyTorch) to the TF1 "
                                   "checkpoint's keys and layout transforms, found from naming conventions, layouts "
                                   "and the structure of both models; report what does not map (GL6xx); write the "
                                   "mapping file and the converted weights. See docs/migrate.md.")
    m.add_argument("old", metavar="OLD", help="the TF1 name-based checkpoint (model directory, prefix or one of its files)")
    m.add_argument("--to", required=True, metavar="NEW",
                   help="the new model: a Python file whose function builds it (Keras 3 Model or torch.nn.Module), "
                        "or a file of its weights (.weights.h5, a state_dict .pt/.bin, .safetensors)")
    m.add_argument("--fn", default="build_model", metavar="NAME",
                   help="the function of NEW's Python file that builds the model (default: build_model)")
    m.add_argument("--use-ema", action=argparse.BooleanOptionalAction, default=None,
                   help="convert the ExponentialMovingAverage shadows instead of the raw variables (--no-use-ema: "
                        "the raw ones, on purpose)")
    m.add_argument("--mapping", metavar="PATH", help="use this mapping file instead of finding the mapping")
    m.add_argument("--write-mapping", metavar="PATH", help="write the mapping found as an editable JSON file")
    m.add_argument("--write", metavar="OUT",
                   help="write the converted weights in NEW's format (.weights.h5; .pt/.bin/.safetensors); not "
                        "done when there are error findings")
    g = m.add_argument_group("parity")
    g.add_argument("--old-model", metavar="FILE",
                   help="the old model file (model_fn): build its PREDICT graph restored from OLD and compare its "
                        "predictions with NEW's outputs on --batch")
    g.add_argument("--model-fn", metavar="NAME", help="name of the old model_fn (default: model_fn)")
    g.add_argument("--batch", metavar="FILE.npz", help="the features both models are fed (one array: the tensor)")
    g.add_argument("--atol", type=float, default=1e-4, help="parity: absolute tolerance (default: 1e-4)")
    g.add_argument("--rtol", type=float, default=1e-4,
                   help="parity: tolerance relative to the old output's largest magnitude (default: 1e-4)")
    m.add_argument("--format", choices=("text", "json"), default="text")
    m.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    m.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are error findings")
    m.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")


def run(args) -> int:
    from graphlint.migrate import command

    return command.run(args, opt.write)
