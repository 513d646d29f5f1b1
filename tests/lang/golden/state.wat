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
    i64.const 0
    i64.add
    i32.wrap_i64
    i32.const 3
    i32.shl
    local.get $~t2
    f64.store offset=24
    global.get $state.steps
    i64.const 1
    i64.add
    global.set $state.steps
    global.get $state.steps
    return
  )
  ;; Allocator: bump allocation above the static data, plus a first-fit free list kept in address
  ;; order. Each block has an 8-byte header: its size, then (while free) the next free block.
  ;; A fit leaves free the bytes an alignment skips and a tail of 16 bytes or more; a freed
  ;; block merges with free neighbours, and one ending at the top of the heap lowers the heap.
  ;; Without that, results of slowly growing size (a point count that rises each frame) would
  ;; each take fresh memory and a long run would end in MemoryError.
  (func $portalis_alloc (export "portalis_alloc") (param $size i32) (param $align i32) (result i32)
    (local $prev i32) (local $blk i32) (local $p i32) (local $end i32) (local $next i32)
    (local $lead i32) (local $rest i32) (local $line i32)
    local.get $size i32.const 0x7fff0000 i32.gt_u
    if i32.const 7 global.set $portalis.error local.get $line if local.get $line global.set $portalis.error_line end unreachable end
    local.get $align i32.const 8 i32.lt_u
    if i32.const 8 local.set $align end
    local.get $size i32.const 7 i32.add i32.const -8 i32.and local.set $size
    global.get $~free local.set $blk
    block $done
      loop $scan
        local.get $blk i32.eqz br_if $done
        ;; the aligned payload $p inside this block; $lead bytes before it (0, or 8 and more:
        ;; room for the header of a free block that keeps them)
        local.get $blk i32.const 8 i32.add local.get $align i32.add i32.const 1 i32.sub
        i32.const 0 local.get $align i32.sub i32.and local.tee $p
        local.get $blk i32.sub i32.const 8 i32.sub local.set $lead
        local.get $blk i32.load local.get $size i32.ge_u
        local.get $blk i32.load local.get $size i32.sub local.get $lead i32.ge_u
        i32.and
        if
          local.get $blk i32.load offset=4 local.set $next
          local.get $blk i32.load local.get $size i32.sub local.get $lead i32.sub local.tee $rest
          i32.const 16 i32.ge_u
          if
            ;; split: the tail after the payload stays free
            local.get $p local.get $size i32.add local.tee $end
            local.get $rest i32.const 8 i32.sub i32.store
            local.get $end local.get $next i32.store offset=4
            local.get $end local.set $next
          else
            local.get $size local.get $rest i32.add local.set $size
          end
          local.get $p i32.const 8 i32.sub local.get $size i32.store
          local.get $lead
          if
            ;; the lead stays free, in this block's place in the list
            local.get $blk local.get $lead i32.const 8 i32.sub i32.store
            local.get $blk local.get $next i32.store offset=4
          else
            local.get $prev
            if local.get $prev local.get $next i32.store offset=4
            else local.get $next global.set $~free end
          end
          local.get $p return
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
    local.get $p i32.const 8 i32.sub global.get $~heap i32.ne
    if
      ;; the padding an alignment leaves becomes a free block after the last one ($prev), so
      ;; it merges back when this block is freed
      global.get $~heap local.get $p i32.const 16 i32.sub global.get $~heap i32.sub i32.store
      global.get $~heap i32.const 0 i32.store offset=4
      local.get $prev
      if local.get $prev global.get $~heap i32.store offset=4
      else global.get $~heap global.set $~free end
    end
    local.get $p i32.const 8 i32.sub local.get $size i32.store
    local.get $end global.set $~heap
    local.get $p
  )
  (func $portalis_free (export "portalis_free") (param $ptr i32)
    (local $blk i32) (local $size i32) (local $before i32) (local $prev i32) (local $next i32)
    local.get $ptr i32.eqz if return end
    local.get $ptr i32.const 8 i32.sub local.tee $blk i32.load local.set $size
    ;; find the free blocks either side: prev < blk < next (before precedes prev)
    global.get $~free local.set $next
    block $found
      loop $walk
        local.get $next i32.eqz br_if $found
        local.get $next local.get $blk i32.ge_u br_if $found
        local.get $prev local.set $before
        local.get $next local.set $prev
        local.get $next i32.load offset=4 local.set $next
        br $walk
      end
    end
    local.get $next
    if
      local.get $blk i32.const 8 i32.add local.get $size i32.add local.get $next i32.eq
      if
        local.get $size i32.const 8 i32.add local.get $next i32.load i32.add local.set $size
        local.get $next i32.load offset=4 local.set $next
      end
    end
    local.get $prev
    if
      local.get $prev i32.const 8 i32.add local.get $prev i32.load i32.add local.get $blk i32.eq
      if
        local.get $size i32.const 8 i32.add local.get $prev i32.load i32.add local.set $size
        local.get $prev local.set $blk
        local.get $before local.set $prev
      end
    end
    local.get $blk i32.const 8 i32.add local.get $size i32.add global.get $~heap i32.eq
    if
      local.get $blk global.set $~heap
    else
      local.get $blk local.get $size i32.store
      local.get $blk local.get $next i32.store offset=4
      local.get $blk local.set $next
    end
    local.get $prev
    if local.get $prev local.get $next i32.store offset=4
    else local.get $next global.set $~free end
  )
)
