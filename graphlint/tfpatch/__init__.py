"""The room: every private TensorFlow API graphlint patches or reads, and every change it makes to
TensorFlow's (and Python's) process-wide state.

graphlint runs the user's code unchanged, and sees what it does by replacing a few of TF's own
functions while it runs. Every such replacement lives here, one module per TF API, and every one
is set through the one room (state.py): `with tfpatch.room():` is entered once per run by the
front doors (the command line, graphlint.lint(), the pytest plugin), each patch is installed at
its first use inside it and every patched attribute is put back when it is left (two, noted in
state.permanent, cannot be taken back and stay, inert). What a build or a program does is state
inside the room, switched on and off by each module's context manager (which enters the room
itself, so it also works on its own): outside a build or a program every patched function passes
through to TensorFlow's own. Every private name graphlint only reads (an import of
tensorflow.python or tensorflow_estimator.python, a `_name` attribute of a TF object) is here
too, behind a small function whose docstring names the symbol and why graphlint needs it.
tests/test_tf_private_api.py checks, cheaply, that each private symbol still exists with the
signature and behaviour relied on here; tests/test_tf_private_boundary.py that no module outside
the room (but graphlint/tf1/contrib/ and graphlint/migrate/, listed there) names one;
tests/test_tf_room.py that leaving the room leaves TensorFlow as it found it.

The switches (state each activates; the patch behind it is set once, at the first activation):
Run-wide (around a model's import and builds, a program's run):
  estimator_module.installed   tf.estimator / tf.compat.v1.estimator: the stand-in on TF 2.16+ (for
                               the rest of the room: a module attribute has no pass-through)
  v1_behavior.v1_behavior      v2_compat.disable_v2_behavior and the switches it sets (TF1 runtime): TF's
                               own switches, flipped by TF's own function for one model and put back
                               after it (TF1 and TF2 models share a run: migrate's parity)
  audit.reading                sys.addaudithook: the files the user's code reads (for good)
  session_hooks.keeping        a program's hooks keep their construction sites for later builds
  estimator_entries.replaced   Estimator.train/evaluate/predict/export_*, train_and_evaluate
Per build (one mode's graph):
  graph.recording_graph        Graph._create_op_internal and name_scope, on a tf.Graph subclass
                               (and, for the room, ops._create_c_op: the ops it makes get one shared
                               trace instead of TF's capture of each op's stack)
  session_hooks.noting         SessionRunHook.__new__ (for good): where hooks are constructed
  summary_writers.silenced     FileWriterCache.get: hooks write no event files
  checkpoint_utils.wrapped     checkpoint_utils._init_from_checkpoint, _set_checkpoint_initializer
  warm_starting.wrapped        warm_starting_util.warm_start
  graph_lookup.name_misses     Graph.as_graph_element on one graph graphlint made (an instance
                               attribute, nothing global): names hooks fail to resolve
  hook_clock.replaced          basic_session_run_hooks' `time` (and that of the modules defining the
                               hooks' classes, each set at its first build): a simulated clock for hooks

Reads (no replacement):
  variables                    Operation._control_outputs, DType._is_ref_dtype, Variable._save_slice_info
                               and _initial_value, the variable store, Saver._var_list, saveables
  training                     training_util / evaluation step helpers, FinalOpsHook's ops
  estimator_internals          tensorflow-estimator's helpers and Estimator's private attributes
  saved_model                  export_utils, export_output, loader_impl.parse_saved_model
  warm_starting, checkpoint_utils, summary_writers: accessors beside their patches
  graph.unfinalize             Graph._unsafe_unfinalize
"""

from graphlint.tfpatch.state import ROOM, Room, room  # noqa: F401 - the room itself
