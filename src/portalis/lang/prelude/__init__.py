"""Helpers written in the kernel language that the compiler links into modules on demand
(CPython's float ``%``, ``//`` and ``**`` semantics). Each file is also plain Python."""
