"""Synthetic data and a numpy softmax-regression model.

Everything is generated deterministically in code from a seed: nothing is
downloaded at run time. Each client owns a disjoint partition of one global
data set (partitioned by client index), and keeps a local train/test split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_FEATURES = 16
NUM_CLASSES = 4
SAMPLES_TOTAL = 4000
DATA_SEED = 20240601
MODEL_NAME = "softmax-regression"


@dataclass(frozen=True)
class Partition:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _global_dataset(seed: int = DATA_SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.2, size=(NUM_CLASSES, NUM_FEATURES))
    labels = rng.integers(0, NUM_CLASSES, size=SAMPLES_TOTAL)
    features = centers[labels] + rng.normal(0.0, 2.5, size=(SAMPLES_TOTAL, NUM_FEATURES))
    return features.astype(np.float64), labels.astype(np.int64)


def load_partition(index: int, num_partitions: int, seed: int = DATA_SEED) -> Partition:
    """Return partition ``index`` of ``num_partitions`` (80/20 train/test split)."""
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be >= 1, got {num_partitions}")
    if not 0 <= index < num_partitions:
        raise ValueError(f"partition index {index} out of range [0, {num_partitions})")
    features, labels = _global_dataset(seed)
    # Deterministic shuffle, then contiguous shards: shard i belongs to client i.
    order = np.random.default_rng(seed + 1).permutation(len(labels))
    shard = np.array_split(order, num_partitions)[index]
    x, y = features[shard], labels[shard]
    cut = int(len(y) * 0.8)
    return Partition(x[:cut], y[:cut], x[cut:], y[cut:])


def init_parameters(seed: int = 0) -> list[np.ndarray]:
    """Initial global model: weights (features x classes) and bias (classes)."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.01, size=(NUM_FEATURES, NUM_CLASSES))
    bias = np.zeros(NUM_CLASSES)
    return [weights, bias]


def num_parameters(params: list[np.ndarray]) -> int:
    return int(sum(p.size for p in params))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def evaluate(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Return (cross-entropy loss, accuracy)."""
    weights, bias = params
    probs = _softmax(x @ weights + bias)
    loss = float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12)))
    accuracy = float(np.mean(probs.argmax(axis=1) == y))
    return loss, accuracy


def train(
    params: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    learning_rate: float,
    proximal_mu: float = 0.0,
) -> tuple[list[np.ndarray], float]:
    """Full-batch gradient descent; returns updated params and final train loss.

    ``proximal_mu`` > 0 adds FedProx's proximal term mu/2 * ||w - w_global||^2.
    """
    global_w, global_b = (p.copy() for p in params)
    weights, bias = (p.copy() for p in params)
    onehot = np.eye(NUM_CLASSES)[y]
    for _ in range(max(epochs, 1)):
        probs = _softmax(x @ weights + bias)
        grad_logits = (probs - onehot) / len(y)
        grad_w = x.T @ grad_logits
        grad_b = grad_logits.sum(axis=0)
        if proximal_mu > 0.0:
            grad_w += proximal_mu * (weights - global_w)
            grad_b += proximal_mu * (bias - global_b)
        weights -= learning_rate * grad_w
        bias -= learning_rate * grad_b
    loss, _ = evaluate([weights, bias], x, y)
    return [weights, bias], loss
