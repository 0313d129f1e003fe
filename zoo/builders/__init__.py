"""Builders: plain functions returning uncompiled ``keras.Model`` objects.

Importing this package registers every built-in model in :mod:`zoo.registry`.
"""

from zoo.builders import layers  # noqa: F401  (registers the custom layers)
from zoo.builders.convolutional import fcn, inception_time, resnet
from zoo.builders.heads import PinballLoss
from zoo.builders.hybrid import alstm_fcn, cnn_lstm, lstm_fcn
from zoo.builders.linear import dlinear, nlinear
from zoo.builders.recurrent import bidirectional, gru, lstm, simple_rnn, stacked
from zoo.builders.rocket import MiniRocketFeatures, minirocket
from zoo.builders.encoder_decoder import seq2seq

__all__ = ["simple_rnn", "lstm", "gru", "stacked", "bidirectional", "lstm_fcn", "cnn_lstm",
           "seq2seq", "fcn", "resnet", "inception_time",
           "alstm_fcn", "nlinear", "dlinear", "minirocket", "MiniRocketFeatures", "PinballLoss"]
