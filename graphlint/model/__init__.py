"""Load the user's code and build one snapshot per mode: the model file, the Estimator stand-in, graph building, snapshots, the live-graph view and parallel workers."""
