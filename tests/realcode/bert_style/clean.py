"""BERT fine-tuning style, correct: the encoder's scope matches the checkpoint's, so the
warm-start map covers every encoder variable."""

import os

import modeling
from run_classifier import input_fn_builder, model_fn_builder

INIT_CHECKPOINT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "pretrained", "bert_model.ckpt")
params = {"batch_size": 4}

model_fn = model_fn_builder(modeling.CONFIG, num_labels=2, init_checkpoint=INIT_CHECKPOINT,
                            learning_rate=5e-5, num_train_steps=10)
input_fn = input_fn_builder()
