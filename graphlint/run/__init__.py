"""The run layer: one path from a command line or an API call to findings, output and an exit status."""
