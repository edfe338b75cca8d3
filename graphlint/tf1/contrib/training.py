"""tf.contrib.training: HParams, also at its module path tensorflow.contrib.training.python.training.hparam
(XLNet's TPUEstimator copy imports it there; tensor2tensor-era code builds its hyperparameters with it).

No maintained package carries HParams any more: it left TensorFlow with contrib, and the copies on
PyPI are unmaintained snapshots. So this is graphlint's own, the smallest that behaves as TF 1.15's
did for what code does with it: keyword hyperparameters as attributes with a type fixed by the first
value (a list's by its first element), set_hparam/override_from_dict casting as TF did (an int to a
float, never a float to an int, a str to a number, or a bool to or from a number), parse() of
`a=1,b=[1,2],c=x` strings, values(), get(), to_json/parse_json, `in`. Not provided: the HParamDef
protobuf form (hparam_def=), which needed TF 1.x's hparam_pb2.
"""

from __future__ import annotations

import functools
import json
import numbers
import re

PROVIDES = ("HParams",)
PATHS = ("python",)  # module paths TF1 code imports a provided name by
MODULE = "training.python.training.hparam"  # where TF 1.15 defined it, under tensorflow.contrib

# name[index]=value or name=[v1, v2], each followed by a comma or the end
_ASSIGNMENT = re.compile(r"(?P<name>[a-zA-Z][\w\.]*)(\[\s*(?P<index>\d+)\s*\])?\s*=\s*"
                         r"((?P<val>[^,\[]*)|\[(?P<vals>[^\]]*)\])($|,\s*)")


def symbols() -> dict:
    return {"HParams": HParams, "python": _path()}


@functools.lru_cache(maxsize=None)
def _path():
    """tensorflow.contrib.training.python, down to .training.hparam: one object, as a module is."""
    from graphlint.tf1.contrib import namespace

    return namespace(MODULE, {"HParams": HParams, "parse_values": parse_values})


def _cast(name, param_type, value):
    """`value` as `param_type`, refusing the casts TF 1.15's HParams refused."""
    if type(value) is param_type or issubclass(param_type, type(None)):
        return value
    refused = ((issubclass(param_type, (str, bytes)) and not isinstance(value, (str, bytes)))
               or issubclass(param_type, bool) != isinstance(value, bool)
               or (issubclass(param_type, numbers.Integral) and not isinstance(value, numbers.Integral))
               or (issubclass(param_type, numbers.Number) and not isinstance(value, numbers.Number)))
    if refused:
        raise ValueError(f"Could not cast hparam '{name}' of type '{param_type}' from value {value!r}")
    return param_type(value)


def _parser(name, param_type):
    if param_type is not bool:
        return param_type

    def parse_bool(text):
        if text in ("true", "True"):
            return True
        if text in ("false", "False"):
            return False
        return bool(int(text))
    return parse_bool


def parse_values(values: str, type_map: dict, ignore_unknown: bool = False) -> dict:
    """`a=1,b=[1,2],c[0]=x` -> {name: value}, each parsed by its type in type_map."""
    results, pos = {}, 0
    while pos < len(values):
        m = _ASSIGNMENT.match(values, pos)
        if not m:
            raise ValueError(f"Malformed hyperparameter value: {values[pos:]}")
        pos = m.end()
        name, index, val, vals = m.group("name", "index", "val", "vals")
        if name not in type_map:
            if ignore_unknown:
                continue
            raise ValueError(f"Unknown hyperparameter type for {name}")
        parse = _parser(name, type_map[name])
        text = val if val is not None else vals
        try:
            value = parse(val) if val is not None else [parse(e) for e in re.split("[ ,]", vals) if e]
        except ValueError:
            raise ValueError(f"Could not parse hparam '{name}' of type '{type_map[name].__name__}' with value "
                             f"'{text}' in {values}") from None
        if index is None:
            if name in results:
                raise ValueError(f"Multiple assignments to variable '{name}' in {values}")
            results[name] = value
        elif val is None:
            raise ValueError("Assignment of a list to a list index.")
        else:
            slots = results.setdefault(name, {})
            if not isinstance(slots, dict) or int(index) in slots:
                raise ValueError(f"Multiple assignments to variable '{name}' in {values}")
            slots[int(index)] = value
    return results


class HParams:
    """tf.contrib.training.HParams (see the module's docstring for what it covers)."""

    _HAS_DYNAMIC_ATTRIBUTES = True  # pytype's marker in TF's class; code may look for it

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        if hparam_def is not None:
            raise ValueError("HParams(hparam_def=...) needs TF 1.x's HParamDef protobuf, which graphlint's TF1 "
                             "runtime does not provide; pass the hyperparameters as keywords")
        self._hparam_types = {}
        self._model_structure = model_structure
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError(f"Must not pass a list for single-valued parameter: {name}")
            setattr(self, name, [_cast(name, param_type, v) for v in value])
        else:
            if is_list:
                raise ValueError(f"Must pass a list for multi-valued parameter: {name}.")
            setattr(self, name, _cast(name, param_type, value))

    def del_hparam(self, name):
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        types = {name: param_type for name, (param_type, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, types))

    def override_from_dict(self, values_dict):
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def to_json(self, indent=None, separators=None, sort_keys=False):
        plain = {k: v for k, v in self.values().items() if not callable(v)}
        return json.dumps(plain, indent=indent, separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json):
        return self.override_from_dict(json.loads(values_json))

    def values(self):
        return {name: getattr(self, name) for name in self._hparam_types}

    def get(self, key, default=None):
        if key not in self._hparam_types:
            return default
        if default is not None:  # TF's check: the default must have the hparam's type
            param_type, is_list = self._hparam_types[key]
            kind = f"list<{param_type}>" if is_list else str(param_type)
            fail = f"Hparam '{key}' of type '{kind}' is incompatible with default={default}"
            if is_list != isinstance(default, (list, tuple)):
                raise ValueError(fail)
            try:
                for value in default if is_list else [default]:
                    _cast(key, param_type, value)
            except ValueError as exc:
                raise ValueError(f"{fail}. {exc}") from None
        return getattr(self, key)

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return str(sorted(self.values().items()))

    def __repr__(self):
        return f"{type(self).__name__}({self})"
