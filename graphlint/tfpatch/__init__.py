"""The room: every private TensorFlow API graphlint patches or reads, and every change it makes to
TensorFlow's (and Python's) process-wide state.

graphlint runs the user's code unchanged, and sees what it does by replacing a few of TF's own
functions while it runs. Every such replacement lives here, one module per TF API, each with a
context manager that puts things back on exit (two, noted, stay installed for good because they
cannot be taken back, and do nothing when no block is open). The rest of graphlint enters them
only through these context managers. Every private name graphlint only reads (an import of
tensorflow.python or tensorflow_estimator.python, a `_name` attribute of a TF object) is here
too, behind a small function whose docstring names the symbol and why graphlint needs it.
tests/test_tf_private_api.py checks, cheaply, that each private symbol still exists with the
signature and behaviour relied on here; tests/test_tf_private_boundary.py that no module outside
the room (but graphlint/tf1/contrib/ and graphlint/migrate/, listed there) names one.

Run-wide (around a model's import and builds, a program's run):
  estimator_module.installed   tf.estimator / tf.compat.v1.estimator: the stand-in on TF 2.16+
  v1_behavior.v1_behavior      v2_compat.disable_v2_behavior and the switches it sets (TF1 runtime)
  audit.reading                sys.addaudithook: the files the user's code reads (for good)
  session_hooks.keeping        a program's hooks keep their construction sites for later builds
  estimator_entries.replaced   Estimator.train/evaluate/predict/export_*, train_and_evaluate
Per build (one mode's graph):
  graph.recording_graph        Graph._create_op_internal and name_scope, on a tf.Graph subclass
  session_hooks.noting         SessionRunHook.__new__ (for good): where hooks are constructed
  summary_writers.silenced     FileWriterCache.get: hooks write no event files
  checkpoint_utils.wrapped     checkpoint_utils._init_from_checkpoint, _set_checkpoint_initializer
  warm_starting.wrapped        warm_starting_util.warm_start
  graph_lookup.name_misses     Graph.as_graph_element on one graph: names hooks fail to resolve
  hook_clock.replaced          basic_session_run_hooks' `time`: a simulated clock for hooks

Reads (no replacement):
  variables                    Operation._control_outputs, DType._is_ref_dtype, Variable._save_slice_info
                               and _initial_value, the variable store, Saver._var_list, saveables
  training                     training_util / evaluation step helpers, FinalOpsHook's ops
  estimator_internals          tensorflow-estimator's helpers and Estimator's private attributes
  saved_model                  export_utils, export_output, loader_impl.parse_saved_model
  warm_starting, checkpoint_utils, summary_writers: accessors beside their patches
  graph.unfinalize             Graph._unsafe_unfinalize
"""
