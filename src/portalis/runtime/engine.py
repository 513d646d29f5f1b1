"""Engines: one wasmtime engine per distinct setting, shared by the whole process, each with
the epoch ticker that makes per-call deadlines possible.

Why epochs: a deadline must end an infinite loop in untrusted code, and wasmtime offers two
ways, fuel and epochs. Fuel counts every instruction (the costlier of the two); epoch
interruption adds one load-and-compare at function entries and loop headers, and the clock
that advances the epoch lives outside wasm. See ``portalis bench runtime`` for its cost.
"""

from __future__ import annotations

import functools
import threading
import weakref
from dataclasses import dataclass

import wasmtime

#: How often the ticker advances the epoch; a deadline fires at most this much late.
TICK_SECONDS = 0.01


@dataclass(frozen=True)
class EngineSettings:
    """Compilation settings; part of the compiled-module cache key."""

    max_wasm_stack: int = 1 << 20
    opt_level: str = "speed"
    #: Off only for trusted code: without it no deadline can be enforced.
    epoch_interruption: bool = True

    def fingerprint(self) -> str:
        # Settings that change generated code must appear here, or the cache would hand out
        # machine code compiled for another configuration.
        return (
            f"wasmtime={wasmtime_version()};stack={self.max_wasm_stack};opt={self.opt_level};"
            f"epoch={int(self.epoch_interruption)};memory_may_move=0;multi_memory=0;gc=0;"
            "simd=1;relaxed_simd=deterministic"
        )

    def config(self) -> wasmtime.Config:
        config = wasmtime.Config()
        config.epoch_interruption = self.epoch_interruption
        config.max_wasm_stack = self.max_wasm_stack
        config.cranelift_opt_level = self.opt_level
        # Linear memory never moves when it grows, so a NumPy array over it can never point
        # into freed memory (growth still marks views stale: see memory.py).
        config.memory_may_move = False
        config.wasm_threads = False
        # One linear memory per module, so the sandbox's memory cap (which wasmtime applies
        # per memory) bounds the instance's total: twelve memories must not get twelve caps.
        config.wasm_multi_memory = False
        # GC objects live outside linear memory, beyond the memory cap, and GC references
        # crash wasmtime-py's type queries: modules using them are refused at compile time.
        config.wasm_gc = False
        # 128-bit SIMD inside module code: the compiler vectorises loops with it
        # (lang/backend/simd.py). v128 still cannot cross an export or import (reader.py).
        # Relaxed SIMD runs deterministically: each relaxed instruction gives the same
        # result on every machine (f64x2.relaxed_madd always fused, in software where the
        # CPU has no FMA), so no module sees the machine. The math library's fused
        # multiply-add is that instruction (lang/libm/_dd.py).
        config.wasm_simd = True
        config.wasm_relaxed_simd = True
        config.wasm_relaxed_simd_deterministic = True
        return config


@functools.cache
def wasmtime_version() -> str:
    from importlib.metadata import version

    return version("wasmtime")


class _EpochTicker(threading.Thread):
    """Advances an engine's epoch every :data:`TICK_SECONDS` while the engine lives."""

    def __init__(self, engine: wasmtime.Engine) -> None:
        super().__init__(name="portalis-epoch-ticker", daemon=True)
        self._engine = weakref.ref(engine)
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            engine = self._engine()
            if engine is None:
                return
            engine.increment_epoch()
            del engine


_engines: dict[EngineSettings, wasmtime.Engine] = {}
_lock = threading.Lock()


def shared_engine(settings: EngineSettings | None = None) -> wasmtime.Engine:
    """The process-wide engine for ``settings``, created (with its ticker) on first use."""
    settings = settings or EngineSettings()
    with _lock:
        engine = _engines.get(settings)
        if engine is None:
            engine = wasmtime.Engine(settings.config())
            if settings.epoch_interruption:
                _EpochTicker(engine).start()
            _engines[settings] = engine
        return engine
