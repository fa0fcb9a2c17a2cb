// Runs the float graph with TF.js ops. Used to check that folding and fusion kept the model's function
// (tests compare it with model.predict) and by calibration, which records every node's output.
import * as tf from '@tensorflow/tfjs-core';
import type { FloatGraph, FloatNode } from './float-graph.ts';

function evalNode(node: FloatNode, v: (i: number) => tf.Tensor): tf.Tensor {
  switch (node.kind) {
    case 'input':
      throw new Error('input is fed, not evaluated');
    case 'conv': {
      const y = tf.add(
        tf.conv2d(v(node.input) as tf.Tensor4D, tf.tensor4d(node.kernel, node.kernelShape), node.strides, node.padding),
        tf.tensor1d(node.bias),
      );
      return node.relu ? tf.relu(y) : y;
    }
    case 'dense': {
      const y = tf.add(
        tf.matMul(v(node.input) as tf.Tensor2D, tf.tensor2d(node.kernel, [node.inUnits, node.shape[0]!])),
        tf.tensor1d(node.bias),
      );
      return node.relu ? tf.relu(y) : y;
    }
    case 'add': {
      const y = tf.add(v(node.inputs[0]), v(node.inputs[1]));
      return node.relu ? tf.relu(y) : y;
    }
    case 'maxpool':
      return tf.maxPool(v(node.input) as tf.Tensor4D, node.pool, node.strides, node.padding);
    case 'avgpool':
      return tf.avgPool(v(node.input) as tf.Tensor4D, node.pool, node.strides, node.padding);
    case 'mean':
      return tf.mean(v(node.input), [1, 2]);
    case 'concat':
      return tf.concat(node.inputs.map(v), 3);
    case 'flatten': {
      const x = v(node.input);
      return tf.reshape(x, [x.shape[0]!, -1]);
    }
  }
}

/**
 * Evaluates the graph on a batch (NHWC). `visit(node, value)` sees every node's output while it is alive
 * (calibration reads ranges there); the returned output tensor belongs to the caller.
 */
export function evaluateFloatGraph(
  graph: FloatGraph,
  input: tf.Tensor4D,
  visit?: (node: FloatNode, value: tf.Tensor) => void,
): tf.Tensor {
  return tf.tidy(() => {
    const values: tf.Tensor[] = [];
    for (const node of graph.nodes) {
      const value = node.kind === 'input' ? input : evalNode(node, (i) => values[i]!);
      values[node.id] = value;
      visit?.(node, value);
    }
    return values[graph.output]!;
  });
}
