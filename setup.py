"""The optional C accelerator and the Kit extension's copy in the wheel live here; everything
else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and the runtime uses its
ctypes fast path instead (see src/portalis/runtime/function.py).

The Kit extension's source is ``exts/portalis.wasm.runtime`` (Kit's template layout, outside
the package); a wheel carries a copy as ``portalis/_kit_extension/`` so ``portalis package``
works from a plain ``pip install`` as well as from a checkout.
"""

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

EXT_NAME = "portalis.wasm.runtime"


class BuildWithKitExtension(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install finds exts/ in the checkout itself
            return
        source = Path(__file__).resolve().parent / "exts" / EXT_NAME
        target = Path(self.build_lib) / "portalis" / "_kit_extension" / EXT_NAME
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            source,
            target,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyd"),
        )
        # A checkout's vendor/ may hold a developer's install; the wheel ships its README only.
        for entry in (target / "vendor").iterdir():
            if entry.name != "README.md":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


setup(
    cmdclass={"build_py": BuildWithKitExtension},
    ext_modules=[
        Extension(
            "portalis.runtime._fastcall",
            ["src/portalis/runtime/_fastcall.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ],
)
