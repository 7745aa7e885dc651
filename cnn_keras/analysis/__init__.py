"""Measuring any Keras model: what it costs and what it learned.

One concern, several modules; notebooks import the names from here (``analysis.count_macs``):

- :mod:`~cnn_keras.analysis.costs`: parameters and multiply-accumulates of a layer and a model,
  conv output sizes, the cost one block adds to a model (the lecture's formulas).
- :mod:`~cnn_keras.analysis.layers`: the per-layer table (shapes, parameters, MACs, activation
  memory, receptive field), depth in weight layers, and the human-readable numbers.
- :mod:`~cnn_keras.analysis.gradients`: the gradient of every weight for one batch, and its
  norm per weight layer.
- :mod:`~cnn_keras.analysis.interpret`: what a trained net looks at (occlusion, feature maps).
- :mod:`~cnn_keras.analysis.attribution`: which pixels a decision rests on (saliency,
  SmoothGrad, Grad-CAM).
- :mod:`~cnn_keras.analysis.ascent`: what a filter or a class responds to, by gradient ascent
  on the input.
- :mod:`~cnn_keras.analysis.embedding`: the penultimate features in two dimensions (PCA, t-SNE).
- :mod:`~cnn_keras.analysis.backprop`: the one input gradient they share, per backend
  (TensorFlow, JAX, PyTorch), and the classifier without its softmax (``class_scores``).

Their figures are in :mod:`cnn_keras.interpret_plots`.
"""

from cnn_keras.analysis.ascent import Ascent as Ascent
from cnn_keras.analysis.ascent import visualize_classes as visualize_classes
from cnn_keras.analysis.ascent import visualize_filters as visualize_filters
from cnn_keras.analysis.attribution import grad_cam as grad_cam
from cnn_keras.analysis.attribution import input_gradients as input_gradients
from cnn_keras.analysis.attribution import saliency_map as saliency_map
from cnn_keras.analysis.attribution import smoothgrad as smoothgrad
from cnn_keras.analysis.backprop import class_scores as class_scores
from cnn_keras.analysis.backprop import gradient_function as gradient_function
from cnn_keras.analysis.costs import AddedCost as AddedCost
from cnn_keras.analysis.costs import ParamCount as ParamCount
from cnn_keras.analysis.costs import added_cost as added_cost
from cnn_keras.analysis.costs import conv_output_size as conv_output_size
from cnn_keras.analysis.costs import conv_params as conv_params
from cnn_keras.analysis.costs import count_macs as count_macs
from cnn_keras.analysis.costs import count_params as count_params
from cnn_keras.analysis.costs import layer_macs as layer_macs
from cnn_keras.analysis.embedding import EMBEDDINGS as EMBEDDINGS
from cnn_keras.analysis.embedding import embed_2d as embed_2d
from cnn_keras.analysis.embedding import penultimate_features as penultimate_features
from cnn_keras.analysis.embedding import penultimate_layer as penultimate_layer
from cnn_keras.analysis.gradients import gradient_norms as gradient_norms
from cnn_keras.analysis.gradients import weight_gradients as weight_gradients
from cnn_keras.analysis.interpret import occlusion_grid as occlusion_grid
from cnn_keras.analysis.interpret import occlusion_map as occlusion_map
from cnn_keras.analysis.interpret import strongest_feature_maps as strongest_feature_maps
from cnn_keras.analysis.layers import INPLACE_LAYERS as INPLACE_LAYERS
from cnn_keras.analysis.layers import LayerStats as LayerStats
from cnn_keras.analysis.layers import activation_memory as activation_memory
from cnn_keras.analysis.layers import count_activations as count_activations
from cnn_keras.analysis.layers import format_table as format_table
from cnn_keras.analysis.layers import human as human
from cnn_keras.analysis.layers import layer_table as layer_table
from cnn_keras.analysis.layers import receptive_field as receptive_field
from cnn_keras.analysis.layers import weight_layer_depth as weight_layer_depth
