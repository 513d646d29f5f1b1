;; compiled by portalis.lang from state.py
(module
  (memory (export "memory") 2)
  (global $portalis.error (export "portalis.error") (mut i32) (i32.const 0))
  (global $portalis.error_line (export "portalis.error_line") (mut i32) (i32.const 0))
  (global $state.steps (export "state.steps") (mut i64) (i64.const 0))
  (global $~heap (mut i32) (i32.const 80))
  (global $~free (mut i32) (i32.const 0))
  (func $step (export "step") (param $x f64) (param $y f64) (result i64)
    (local $~t1 f64)
    (local $~t2 f64)
    local.get $x
    f64.const 0.5
    f64.mul
    local.set $~t1
    global.get $state.steps
    i64.const 3
    i64.and
    i64.const 2
    i64.mul
    i64.const 0
    i64.add
    i32.wrap_i64
    i32.const 3
    i32.shl
    local.get $~t1
    f64.store offset=16
    local.get $y
    f64.const 2.0
    f64.mul
    local.set $~t2
    global.get $state.steps
    i64.const 3
    i64.and
    i64.const 2
    i64.mul
    i64.const 1
    i64.add
    i32.wrap_i64
    i32.const 3
    i32.shl
    local.get $~t2
    f64.store offset=16
    global.get $state.steps
    i64.const 1
    i64.add
    global.set $state.steps
    global.get $state.steps
    return
  )
  ;; Allocator: bump allocation above the static data, plus a first-fit free list. Each block
  ;; has an 8-byte header: its size, then (while free) the next free block.
  (func $portalis_alloc (export "portalis_alloc") (param $size i32) (param $align i32) (result i32)
    (local $prev i32) (local $blk i32) (local $p i32) (local $end i32) (local $line i32)
    local.get $size i32.const 0x7fff0000 i32.gt_u
    if i32.const 7 global.set $portalis.error local.get $line if local.get $line global.set $portalis.error_line end unreachable end
    local.get $align i32.const 8 i32.lt_u
    if i32.const 8 local.set $align end
    local.get $size i32.const 7 i32.add i32.const -8 i32.and local.set $size
    global.get $~free local.set $blk
    block $done
      loop $scan
        local.get $blk i32.eqz br_if $done
        local.get $blk i32.load local.get $size i32.ge_u
        local.get $blk i32.const 8 i32.add local.get $align i32.const 1 i32.sub i32.and i32.eqz
        i32.and
        if
          local.get $prev
          if local.get $prev local.get $blk i32.load offset=4 i32.store offset=4
          else local.get $blk i32.load offset=4 global.set $~free end
          local.get $blk i32.const 8 i32.add return
        end
        local.get $blk local.set $prev
        local.get $blk i32.load offset=4 local.set $blk
        br $scan
      end
    end
    global.get $~heap i32.const 8 i32.add local.get $align i32.add i32.const 1 i32.sub
    i32.const 0 local.get $align i32.sub i32.and local.tee $p
    local.get $size i32.add local.tee $end
    memory.size i32.const 16 i32.shl i32.gt_u
    if
      local.get $end memory.size i32.const 16 i32.shl i32.sub i32.const 0xffff i32.add
      i32.const 16 i32.shr_u memory.grow i32.const -1 i32.eq
      if i32.const 7 global.set $portalis.error local.get $line if local.get $line global.set $portalis.error_line end unreachable end
    end
    local.get $p i32.const 8 i32.sub local.get $size i32.store
    local.get $end global.set $~heap
    local.get $p
  )
  (func $portalis_free (export "portalis_free") (param $ptr i32)
    local.get $ptr i32.eqz if return end
    local.get $ptr i32.const 8 i32.sub global.get $~free i32.store offset=4
    local.get $ptr i32.const 8 i32.sub global.set $~free
  )
)
