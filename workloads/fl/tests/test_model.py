"""Fast unit tests of the deterministic data and the numpy model."""

import numpy as np
import pytest

from fl_workload import model


def test_partitions_are_deterministic_and_disjoint():
    a0, a1 = model.load_partition(0, 2), model.load_partition(1, 2)
    b0 = model.load_partition(0, 2)
    assert np.array_equal(a0.x_train, b0.x_train) and np.array_equal(a0.y_test, b0.y_test)
    rows0 = {tuple(r) for r in np.vstack([a0.x_train, a0.x_test]).round(12)}
    rows1 = {tuple(r) for r in np.vstack([a1.x_train, a1.x_test]).round(12)}
    assert not rows0 & rows1
    assert len(a0.y_train) == 1600 and len(a0.y_test) == 400


@pytest.mark.parametrize("index,total", [(-1, 2), (2, 2), (0, 0)])
def test_partition_bounds(index, total):
    with pytest.raises(ValueError):
        model.load_partition(index, total)


def test_training_improves_accuracy():
    part = model.load_partition(0, 3)
    params = model.init_parameters()
    loss0, acc0 = model.evaluate(params, part.x_test, part.y_test)
    params, _ = model.train(params, part.x_train, part.y_train, epochs=10, learning_rate=0.2)
    loss1, acc1 = model.evaluate(params, part.x_test, part.y_test)
    assert loss1 < loss0 and acc1 > acc0 + 0.2
    assert model.num_parameters(params) == model.NUM_FEATURES * model.NUM_CLASSES + model.NUM_CLASSES


def test_fedprox_term_pulls_towards_global():
    part = model.load_partition(1, 2)
    start = model.init_parameters()
    free, _ = model.train(start, part.x_train, part.y_train, epochs=20, learning_rate=0.2)
    prox, _ = model.train(start, part.x_train, part.y_train, epochs=20, learning_rate=0.2, proximal_mu=5.0)
    assert np.linalg.norm(prox[0] - start[0]) < np.linalg.norm(free[0] - start[0])
