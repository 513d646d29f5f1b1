"""One bound of a slice ``a[lo:hi]`` (step 1) on an axis of ``n`` elements, as CPython's
``PySlice_AdjustIndices`` (and so NumPy) computes it: a negative bound counts from the end,
then the bound is clamped into ``[0, n]``. Out-of-range bounds never raise; ``a[5:2]`` is
empty (the length is ``max(hi - lo, 0)``, frontend/slices.py). Plain Python: under CPython
``slice(lo, hi).indices(n)[:2] == (slice_bound(lo, n), slice_bound(hi, n))`` (tested)."""


def slice_bound(i: int, n: int) -> int:
    if i < 0:
        i += n
        if i < 0:
            i = 0
    elif i > n:
        i = n
    return i
