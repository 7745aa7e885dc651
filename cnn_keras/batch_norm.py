"""Keras's batch norm, computed on the TensorFlow backend by TensorFlow's fused kernel."""

from __future__ import annotations

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="cnn_keras")
class BatchNormalization(layers.BatchNormalization):
    """Keras's ``BatchNormalization``, computed by TensorFlow's fused kernel where it can be.

    Keras 3 normalizes with separate operations on every backend (a mean, a variance, a
    subtraction, a multiplication ...). XLA fuses them on JAX; TensorFlow runs each one, and
    their gradients, as an op of its own, which on a CPU cost ResNet-20 as much time as its
    convolutions. On the TensorFlow backend this layer calls ``FusedBatchNormV3`` instead
    (oneDNN's batch norm on an x86 CPU, cuDNN's on a GPU): one op forward, one backward.

    What it computes is Keras's layer, unchanged: the batch's mean and biased variance in
    training (the fused op reports the unbiased variance, which is rescaled by
    ``(n - 1) / n`` before the moving averages are updated), the moving averages in inference,
    float32 arithmetic under a mixed policy. The fused path takes channels-last input of rank 2
    or 4 without a mask, renorm or synchronized statistics; anything else, and the JAX and
    PyTorch backends, run Keras's own code. Saved models keep every argument of the Keras layer.
    """

    def call(self, inputs, training=None, mask=None):
        rank = len(inputs.shape)
        if (
            keras.backend.backend() != "tensorflow"
            or mask is not None
            or self.renorm
            or self.synchronized
            or rank not in (2, 4)
            or self.axis % rank != rank - 1
        ):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        x = tf.cast(inputs, "float32")
        if rank == 2:
            x = x[:, None, None, :]
        channels = inputs.shape[-1]
        gamma = tf.cast(self.gamma, "float32") if self.scale else tf.ones([channels])
        beta = tf.cast(self.beta, "float32") if self.center else tf.zeros([channels])
        fused = dict(x=x, scale=gamma, offset=beta, epsilon=self.epsilon, data_format="NHWC")
        if training and self.trainable:
            empty = tf.zeros([0])
            y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
                mean=empty, variance=empty, is_training=True, **fused
            )
            count = tf.cast(tf.size(x) // channels, "float32")
            variance = variance * (count - 1.0) / count
            momentum = self.momentum
            self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
            self.moving_variance.assign(
                self.moving_variance * momentum + variance * (1.0 - momentum)
            )
        else:
            y, *_ = tf.raw_ops.FusedBatchNormV3(
                mean=tf.cast(self.moving_mean, "float32"),
                variance=tf.cast(self.moving_variance, "float32"),
                is_training=False,
                **fused,
            )
        if rank == 2:
            y = y[:, 0, 0, :]
        return tf.cast(y, self.compute_dtype)
