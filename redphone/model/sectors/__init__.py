"""The four sector kernels. Each module holds one sector's whole behaviour:
``init`` (its day-0 state for one side) and ``step(key, state, params, dims, side)``,
which returns that side's new sector state."""
