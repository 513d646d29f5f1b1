"""The Rust every generated crate carries (module ``rt``): how a Python error leaves the
module, Python's integer and float division, ``int(x)``'s checks, shifts, ``**`` on ints,
and the allocator the runtime places arrays with. Each is written to do exactly what the
direct backend's WebAssembly does (backend/emit.py, backend/support.py), operation for
operation, so both backends give the same bits and the same errors."""

from __future__ import annotations

from portalis.abi import (
    ALLOC_EXPORT,
    ERROR_CODES,
    FREE_EXPORT,
    MATH_DOMAIN_ERROR,
    MATH_RANGE_ERROR,
)


def _error_consts() -> str:
    codes = {**ERROR_CODES, "MathDomainError": MATH_DOMAIN_ERROR}
    codes["MathRangeError"] = MATH_RANGE_ERROR
    return "\n".join(
        f"    pub const {_const_name(name)}: i32 = {code};" for name, code in codes.items()
    )


def _const_name(exception: str) -> str:
    out = ""
    for c in exception:
        if c.isupper() and out:
            out += "_"
        out += c.upper()
    return out


def error_const(exception: str) -> str:
    """``ValueError`` → ``rt::VALUE_ERROR``."""
    return "rt::" + _const_name(exception)


RUNTIME = (
    """
/// Support code: errors, Python arithmetic, the allocator. The `portalis` imports and the
/// C math names are resolved by `portalis build --via rust` into the exported globals
/// (`portalis.error`, `portalis.error_line`, `state.*`) and single WebAssembly
/// instructions: stable Rust cannot define a WebAssembly global itself.
#[allow(dead_code)]
mod rt {
    #[link(wasm_import_module = "portalis")]
    extern "C" {
        #[link_name = "raise"]
        fn portalis_raise(code: i32, line: i32);
        #[link_name = "error_line"]
        fn portalis_error_line(line: i32);
    }
    extern "C" {
        fn sqrt(x: f64) -> f64;
        fn floor(x: f64) -> f64;
        fn ceil(x: f64) -> f64;
        fn trunc(x: f64) -> f64;
        fn rint(x: f64) -> f64;
        fn sqrtf(x: f32) -> f32;
    }

"""
    + _error_consts()
    + """

    /// Record a Python exception (and the kernel line, when not 0) and trap.
    #[cold]
    #[inline(never)]
    pub fn raise(code: i32, line: i32) -> ! {
        unsafe { portalis_raise(code, line) };
        core::arch::wasm32::unreachable()
    }

    /// The caller's line, recorded before calling into the math library (whose own
    /// errors carry no line).
    #[inline(always)]
    pub fn at_line(line: i32) {
        unsafe { portalis_error_line(line) }
    }

    #[inline(always)]
    pub fn sqrt_f64(x: f64) -> f64 { unsafe { sqrt(x) } }
    #[inline(always)]
    pub fn sqrt_f32(x: f32) -> f32 { unsafe { sqrtf(x) } }
    #[inline(always)]
    pub fn floor_f64(x: f64) -> f64 { unsafe { floor(x) } }
    #[inline(always)]
    pub fn ceil_f64(x: f64) -> f64 { unsafe { ceil(x) } }
    #[inline(always)]
    pub fn trunc_f64(x: f64) -> f64 { unsafe { trunc(x) } }
    /// Round half to even (`f64.nearest`).
    #[inline(always)]
    pub fn nearest_f64(x: f64) -> f64 { unsafe { rint(x) } }
    /// a·b + c rounded once (the math library's fused multiply-add), in software: rustc's
    /// wasm32 output has no fused instruction. Dekker's product and a two-sum, the direct
    /// back end's former mul_add: off by one ulp about once in 2**50, |a·b| < 2**996.
    #[inline(always)]
    pub fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
        let p = a * b;
        let t = a * 134217729.0;
        let ah = t - (t - a);
        let al = a - ah;
        let t = b * 134217729.0;
        let bh = t - (t - b);
        let bl = b - bh;
        let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
        let s = c + p;
        let bb = s - c;
        let err = (c - (s - bb)) + (p - bb);
        s + (err + e)
    }
    #[inline(always)]
    pub fn fabs(x: f64) -> f64 { f64::from_bits(x.to_bits() & !(1 << 63)) }
    #[inline(always)]
    pub fn fabs_f32(x: f32) -> f32 { f32::from_bits(x.to_bits() & !(1 << 31)) }
    #[inline(always)]
    pub fn copysign(x: f64, y: f64) -> f64 {
        f64::from_bits((x.to_bits() & !(1 << 63)) | (y.to_bits() & (1 << 63)))
    }
    #[inline(always)]
    pub fn is_nan(x: f64) -> bool { x != x }

    /// `x` (already integral) as int, with CPython's errors: NaN is ValueError, anything
    /// outside int64 (±inf included) OverflowError.
    #[inline(always)]
    pub fn py_int(x: f64, line: i32) -> i64 {
        if x != x { raise(VALUE_ERROR, line) }
        if !(x < 9223372036854775808.0 && x >= -9223372036854775808.0) {
            raise(OVERFLOW_ERROR, line)
        }
        x as i64
    }

    #[inline(always)]
    pub fn sqrt_checked(x: f64, line: i32) -> f64 {
        if x < 0.0 { raise(MATH_DOMAIN_ERROR, line) }
        sqrt_f64(x)
    }

    #[inline(always)]
    pub fn div_f64(a: f64, b: f64, line: i32) -> f64 {
        if b == 0.0 { raise(ZERO_DIVISION_ERROR, line) }
        a / b
    }

    #[inline(always)]
    pub fn div_f32(a: f32, b: f32, line: i32) -> f32 {
        if b == 0.0 { raise(ZERO_DIVISION_ERROR, line) }
        a / b
    }

    /// Python's `a // b`: the quotient rounds toward -inf.
    #[inline(always)]
    pub fn floordiv_i64(a: i64, b: i64, line: i32) -> i64 {
        if b == 0 { raise(ZERO_DIVISION_ERROR, line) }
        let q = a / b;
        if a.wrapping_rem(b) != 0 && (a ^ b) < 0 { q - 1 } else { q }
    }

    /// Python's `a % b`: the remainder takes the divisor's sign.
    #[inline(always)]
    pub fn mod_i64(a: i64, b: i64, line: i32) -> i64 {
        if b == 0 { raise(ZERO_DIVISION_ERROR, line) }
        let r = a.wrapping_rem(b);
        if r != 0 && (r ^ b) < 0 { r.wrapping_add(b) } else { r }
    }

    #[inline(always)]
    pub fn floordiv_i32(a: i32, b: i32, line: i32) -> i32 {
        if b == 0 { raise(ZERO_DIVISION_ERROR, line) }
        let q = a / b;
        if a.wrapping_rem(b) != 0 && (a ^ b) < 0 { q - 1 } else { q }
    }

    #[inline(always)]
    pub fn mod_i32(a: i32, b: i32, line: i32) -> i32 {
        if b == 0 { raise(ZERO_DIVISION_ERROR, line) }
        let r = a.wrapping_rem(b);
        if r != 0 && (r ^ b) < 0 { r.wrapping_add(b) } else { r }
    }

    /// `int ** int` for a non-negative exponent, by squaring (wrapping at 64 bits).
    pub fn pow_int(mut b: i64, mut e: i64, line: i32) -> i64 {
        if e < 0 { raise(VALUE_ERROR, line) }
        let mut r: i64 = 1;
        while e != 0 {
            if e & 1 != 0 { r = r.wrapping_mul(b) }
            b = b.wrapping_mul(b);
            e = ((e as u64) >> 1) as i64;
        }
        r
    }

    /// `a << n`: a negative count is ValueError, a count past the width gives 0.
    #[inline(always)]
    pub fn shl_i64(a: i64, n: i64, line: i32) -> i64 {
        if n < 0 { raise(VALUE_ERROR, line) }
        if (n as u64) < 64 { a << n } else { 0 }
    }

    /// `a >> n`: arithmetic, a count past the width gives the sign.
    #[inline(always)]
    pub fn shr_i64(a: i64, n: i64, line: i32) -> i64 {
        if n < 0 { raise(VALUE_ERROR, line) }
        a >> (if (n as u64) < 63 { n } else { 63 })
    }

    #[inline(always)]
    pub fn shl_i32(a: i32, n: i32, line: i32) -> i32 {
        if n < 0 { raise(VALUE_ERROR, line) }
        if (n as u32) < 32 { a << n } else { 0 }
    }

    #[inline(always)]
    pub fn shr_i32(a: i32, n: i32, line: i32) -> i32 {
        if n < 0 { raise(VALUE_ERROR, line) }
        a >> (if (n as u32) < 31 { n } else { 31 })
    }

    /// Python's `min`/`max` step: the candidate replaces the best only when strictly
    /// better, so the first of equal values (and a NaN first argument) wins.
    #[inline(always)]
    pub fn min<T: PartialOrd>(best: T, cand: T) -> T { if cand < best { cand } else { best } }
    #[inline(always)]
    pub fn max<T: PartialOrd>(best: T, cand: T) -> T { if cand > best { cand } else { best } }

    /// An index along an axis of extent `dim`: negative counts from the end, anything
    /// else out of range is IndexError.
    #[inline(always)]
    pub fn index(i: i64, dim: i64, line: i32) -> i64 {
        let i = i.wrapping_add((i >> 63) & dim);
        if (i as u64) >= (dim as u64) { raise(INDEX_ERROR, line) }
        i
    }

    /// As `index`, for an index proven never negative.
    #[inline(always)]
    pub fn index_nonneg(i: i64, dim: i64, line: i32) -> i64 {
        if (i as u64) >= (dim as u64) { raise(INDEX_ERROR, line) }
        i
    }

    /// Element `k` of an array (addresses wrap at 32 bits, as in WebAssembly).
    #[inline(always)]
    pub fn ld<T: Copy>(base: *mut T, k: i64) -> T { unsafe { *base.wrapping_add(k as usize) } }
    #[inline(always)]
    pub fn st<T>(base: *mut T, k: i64, v: T) { unsafe { *base.wrapping_add(k as usize) = v } }
    #[inline(always)]
    pub fn ld_u8(base: *mut u8, k: i64) -> i64 { ld(base, k) as i64 }
    #[inline(always)]
    pub fn st_u8(base: *mut u8, k: i64, v: i64) { st(base, k, v as u8) }
    #[inline(always)]
    pub fn ld_bool(base: *mut u8, k: i64) -> bool { ld(base, k) != 0 }
    #[inline(always)]
    pub fn st_bool(base: *mut u8, k: i64, v: bool) { st(base, k, v as u8) }

    // -- the allocator: bump allocation above everything static, plus a first-fit free
    // list in address order. Each block has an 8-byte header: its size, then (while free)
    // the next free block. Fits split, frees merge and lower the heap: the same algorithm
    // as the direct backend's (lang/backend/support.py says why).

    extern "C" {
        static __heap_base: u8;
    }
    static mut HEAP: u32 = 0;
    static mut FREE: u32 = 0;

    #[inline(always)]
    unsafe fn word(addr: u32) -> *mut u32 { addr as usize as *mut u32 }

    #[export_name = \""""
    + ALLOC_EXPORT
    + """\"]
    pub unsafe extern "C" fn alloc(size: u32, align: u32) -> u32 {
        if size > 0x7fff_0000 { raise(MEMORY_ERROR, 0) }
        let align = if align < 8 { 8 } else { align };
        let size = (size + 7) & !7;
        let mut prev: u32 = 0;
        let mut blk = FREE;
        while blk != 0 {
            // the aligned payload inside this block; `lead` bytes before it (0, or 8 and
            // more: room for the header of a free block that keeps them)
            let p = (blk + 8 + align - 1) & 0u32.wrapping_sub(align);
            let lead = p - blk - 8;
            let have = *word(blk);
            if have >= size && have - size >= lead {
                let mut next = *word(blk + 4);
                let rest = have - size - lead;
                let mut size = size;
                if rest >= 16 {
                    // split: the tail after the payload stays free
                    *word(p + size) = rest - 8;
                    *word(p + size + 4) = next;
                    next = p + size;
                } else {
                    size += rest;
                }
                *word(p - 8) = size;
                if lead != 0 {
                    // the lead stays free, in this block's place in the list
                    *word(blk) = lead - 8;
                    *word(blk + 4) = next;
                } else if prev != 0 {
                    *word(prev + 4) = next
                } else {
                    FREE = next
                }
                return p;
            }
            prev = blk;
            blk = *word(blk + 4);
        }
        if HEAP == 0 { HEAP = &__heap_base as *const u8 as usize as u32 }
        let p = HEAP.wrapping_add(8).wrapping_add(align).wrapping_sub(1)
            & 0u32.wrapping_sub(align);
        let end = p.wrapping_add(size);
        let have = (core::arch::wasm32::memory_size(0) as u32) << 16;
        if end > have {
            let pages = (end - have + 0xffff) >> 16;
            if core::arch::wasm32::memory_grow(0, pages as usize) == usize::MAX {
                raise(MEMORY_ERROR, 0)
            }
        }
        if p - 8 != HEAP {
            // the padding an alignment leaves becomes a free block after the last one, so
            // it merges back when this block is freed
            *word(HEAP) = p - 16 - HEAP;
            *word(HEAP + 4) = 0;
            if prev != 0 { *word(prev + 4) = HEAP } else { FREE = HEAP }
        }
        *word(p - 8) = size;
        HEAP = end;
        p
    }

    #[export_name = \""""
    + FREE_EXPORT
    + """\"]
    pub unsafe extern "C" fn free(ptr: u32) {
        if ptr == 0 { return }
        let mut blk = ptr - 8;
        let mut size = *word(blk);
        // the free blocks either side: prev < blk < next (before precedes prev)
        let (mut before, mut prev, mut next) = (0u32, 0u32, FREE);
        while next != 0 && next < blk {
            before = prev;
            prev = next;
            next = *word(next + 4);
        }
        if next != 0 && blk + 8 + size == next {
            size += 8 + *word(next);
            next = *word(next + 4);
        }
        if prev != 0 && prev + 8 + *word(prev) == blk {
            size += 8 + *word(prev);
            blk = prev;
            prev = before;
        }
        if blk + 8 + size == HEAP {
            HEAP = blk;
        } else {
            *word(blk) = size;
            *word(blk + 4) = next;
            next = blk;
        }
        if prev != 0 { *word(prev + 4) = next } else { FREE = next }
    }
}
"""
)
