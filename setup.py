"""Only the optional C accelerator lives here; everything else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and the runtime uses its
ctypes fast path instead (see src/portalis/runtime/function.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "portalis.runtime._fastcall",
            ["src/portalis/runtime/_fastcall.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
