"""`graphlint migrate OLD --to NEW`: map a TF1 name-based checkpoint onto a rewrite of its model (Keras 3
or PyTorch), check that every new weight gets exactly one source and every old key is used or
classified, and write the converted weights in the new model's own format.

Layers, lowest first: layouts (the naming conventions and the transforms between layouts), old and
new (each side's weights grouped into layers), mapping (the alignment of the two sides' layers),
coverage (what the alignment leaves uncovered, as facts the GL6xx rules make findings of), mapfile
(the editable mapping file), writer (the converted file), command (the CLI glue and the report).
Nothing here writes to OLD or NEW.
"""
