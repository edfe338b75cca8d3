"""Planted bug (silent): the encoder was renamed to 'bert_model/', the checkpoint says 'bert/'.

get_assignment_map_from_checkpoint finds no shared name, init_from_checkpoint gets an empty map,
and fine-tuning starts from random weights: no error, no warning.
"""

import os

import modeling
from run_classifier import input_fn_builder, model_fn_builder

INIT_CHECKPOINT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "pretrained", "bert_model.ckpt")
params = {"batch_size": 4}

model_fn = model_fn_builder(modeling.CONFIG, num_labels=2, init_checkpoint=INIT_CHECKPOINT,
                            learning_rate=5e-5, num_train_steps=10, scope="bert_model")
input_fn = input_fn_builder()
