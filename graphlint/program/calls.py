"""What an intercepted Estimator call would have done, recorded instead of running it."""

from __future__ import annotations

from dataclasses import dataclass, field

# A program that loops train()/evaluate() forever (until a metric it never gets is reached) is
# stopped after this many calls from one line: graphlint has recorded all it needs by then.
MAX_CALLS_PER_SITE = 50

ENTRY_MODES = {"train": "train", "evaluate": "eval", "predict": "predict", "export_saved_model": "predict"}


class StopProgram(BaseException):
    """Raised inside the program to end it once its calls repeat (BaseException: the program's own
    `except Exception` must not swallow it)."""


@dataclass
class Call:
    """One mode as an Estimator entry point would build it."""

    entry: str  # train | evaluate | predict | export_saved_model (also via train_and_evaluate)
    mode: str  # train | eval | predict
    estimator: object
    input_fn: object  # for export_saved_model: the serving_input_receiver_fn
    hooks: tuple = ()
    site: object = None  # model.snapshot.Site of the program line that made the call
    via: str = ""  # "train_and_evaluate" when the call came from TrainSpec/EvalSpec/exporters

    @property
    def model_dir(self) -> str:
        return str(getattr(self.estimator, "model_dir", "") or "")

    def setup_key(self) -> tuple:
        """Calls with the same key build the same graph: one estimator, one program line, one kind."""
        line = (self.site.file, self.site.line) if self.site else None
        return (id(self.estimator), self.entry, line, self.via)

    def where(self) -> str:
        line = f"{self.site.file}:{self.site.line}" if self.site else "?"
        return f"{self.entry} at {line}" + (f" via {self.via}" if self.via else "")


@dataclass
class Recorder:
    """The calls a program made, first of each setup only, in the order it made them."""

    calls: list = field(default_factory=list)
    _seen: dict = field(default_factory=dict)  # setup key -> times called

    def add(self, call: Call) -> None:
        key = call.setup_key()
        count = self._seen.get(key, 0) + 1
        self._seen[key] = count
        if count == 1:
            self.calls.append(call)
        elif count >= MAX_CALLS_PER_SITE:
            raise StopProgram(call.where())
