import jax
import numpy as np


def test_same_seed_same_numbers_other_seed_other_numbers(small):
    from redphone.model import engine

    _, params, dims = small
    # 6 replicates of 30 days: the program test_engines compiles too (the session's compilation cache shares it)
    a, sa = jax.device_get(engine.simulate(42, 6, params, dims, 30))
    b, sb = jax.device_get(engine.simulate(42, 6, params, dims, 30))
    c, _ = jax.device_get(engine.simulate(43, 6, params, dims, 30))
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert not np.array_equal(a["hostility_mean"], c["hostility_mean"])
    # replicates of one run differ from each other too
    assert not np.array_equal(a["hostility_mean"][0], a["hostility_mean"][1])
