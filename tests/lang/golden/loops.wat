;; compiled by portalis.lang from loops.py
(module
  (memory (export "memory") 2)
  (global $portalis.error (export "portalis.error") (mut i32) (i32.const 0))
  (global $portalis.error_line (export "portalis.error_line") (mut i32) (i32.const 0))
  (global $~heap (mut i32) (i32.const 16))
  (global $~free (mut i32) (i32.const 0))
  (func $saxpy (export "saxpy") (param $a f64) (param $xs i32) (param $xs.n0 i32) (param $ys i32) (param $ys.n0 i32)
    (local $i i64)
    (local $~t1 i64)
    (local $~t2 i64)
    (local $~t3 i64)
    (local $~t4 i64)
    (local $xs.d0 i64)
    (local $ys.d0 i64)
    (local $~w1 i32)
    (local $~w2 i32)
    (local $~w3 i64)
    (local $~w4 i64)
    (local $~w5 i64)
    (local $~w6 i64)
    (local $~w7 v128)
    (local $~w8 i64)
    (local $~w17 i64)
    local.get $xs.n0
    i64.extend_i32_u
    local.set $xs.d0
    local.get $ys.n0
    i64.extend_i32_u
    local.set $ys.d0
    i64.const 0
    local.set $~t1
    local.get $xs.d0
    local.set $~t2
    i32.const 1
    local.get $~t1
    i64.const 0
    i64.ge_s
    local.get $~t2
    local.get $ys.d0
    i64.const 0
    i64.sub
    i64.le_s
    i32.and
    i32.and
    if
      i64.const 0
      local.get $~t1
      i64.add
      i32.wrap_i64
      i32.const 3
      i32.shl
      local.get $ys
      i32.add
      local.set $~w1
      i64.const 0
      local.get $~t1
      i64.add
      i32.wrap_i64
      i32.const 3
      i32.shl
      local.get $xs
      i32.add
      local.set $~w2
      i32.const 1
      local.get $~w2
      i64.extend_i32_u
      local.tee $~w3
      local.get $~t2
      local.get $~t1
      i64.sub
      i64.const 0
      i64.add
      i64.const 8
      i64.mul
      i64.add
      local.set $~w4
      local.get $~w1
      i64.extend_i32_u
      local.tee $~w5
      local.get $~t2
      local.get $~t1
      i64.sub
      i64.const 0
      i64.add
      i64.const 8
      i64.mul
      i64.add
      local.set $~w6
      local.get $~w6
      local.get $~w3
      i64.le_s
      local.get $~w4
      local.get $~w5
      i64.le_s
      i32.or
      i32.and
      if
        local.get $a
        f64x2.splat
        local.set $~w7
        local.get $~t1
        local.set $~w8
        block $vectors9
          loop $vector10
            local.get $~t1
            local.get $~t2
            i64.const 15
            i64.sub
            i64.const -9223372036854775808
            local.get $~t2
            i64.const -9223372036854775793
            i64.ge_s
            select
            i64.lt_s
            i32.eqz
            br_if $vectors9
            local.get $~w1
            local.get $~w1
            v128.load
            local.get $~w7
            local.get $~w2
            v128.load
            f64x2.mul
            f64x2.add
            v128.store
            local.get $~w1
            local.get $~w1
            v128.load offset=16
            local.get $~w7
            local.get $~w2
            v128.load offset=16
            f64x2.mul
            f64x2.add
            v128.store offset=16
            local.get $~w1
            local.get $~w1
            v128.load offset=32
            local.get $~w7
            local.get $~w2
            v128.load offset=32
            f64x2.mul
            f64x2.add
            v128.store offset=32
            local.get $~w1
            local.get $~w1
            v128.load offset=48
            local.get $~w7
            local.get $~w2
            v128.load offset=48
            f64x2.mul
            f64x2.add
            v128.store offset=48
            local.get $~w1
            local.get $~w1
            v128.load offset=64
            local.get $~w7
            local.get $~w2
            v128.load offset=64
            f64x2.mul
            f64x2.add
            v128.store offset=64
            local.get $~w1
            local.get $~w1
            v128.load offset=80
            local.get $~w7
            local.get $~w2
            v128.load offset=80
            f64x2.mul
            f64x2.add
            v128.store offset=80
            local.get $~w1
            local.get $~w1
            v128.load offset=96
            local.get $~w7
            local.get $~w2
            v128.load offset=96
            f64x2.mul
            f64x2.add
            v128.store offset=96
            local.get $~w1
            local.get $~w1
            v128.load offset=112
            local.get $~w7
            local.get $~w2
            v128.load offset=112
            f64x2.mul
            f64x2.add
            v128.store offset=112
            local.get $~t1
            i64.const 16
            i64.add
            local.set $~t1
            local.get $~w1
            i32.const 128
            i32.add
            local.set $~w1
            local.get $~w2
            i32.const 128
            i32.add
            local.set $~w2
            br $vector10
          end
        end
        local.get $~t1
        local.get $~t2
        i64.const 7
        i64.sub
        i64.const -9223372036854775808
        local.get $~t2
        i64.const -9223372036854775801
        i64.ge_s
        select
        i64.lt_s
        if
          local.get $~w1
          local.get $~w1
          v128.load
          local.get $~w7
          local.get $~w2
          v128.load
          f64x2.mul
          f64x2.add
          v128.store
          local.get $~w1
          local.get $~w1
          v128.load offset=16
          local.get $~w7
          local.get $~w2
          v128.load offset=16
          f64x2.mul
          f64x2.add
          v128.store offset=16
          local.get $~w1
          local.get $~w1
          v128.load offset=32
          local.get $~w7
          local.get $~w2
          v128.load offset=32
          f64x2.mul
          f64x2.add
          v128.store offset=32
          local.get $~w1
          local.get $~w1
          v128.load offset=48
          local.get $~w7
          local.get $~w2
          v128.load offset=48
          f64x2.mul
          f64x2.add
          v128.store offset=48
          local.get $~t1
          i64.const 8
          i64.add
          local.set $~t1
          local.get $~w1
          i32.const 64
          i32.add
          local.set $~w1
          local.get $~w2
          i32.const 64
          i32.add
          local.set $~w2
        end
        local.get $~t1
        local.get $~t2
        i64.const 3
        i64.sub
        i64.const -9223372036854775808
        local.get $~t2
        i64.const -9223372036854775805
        i64.ge_s
        select
        i64.lt_s
        if
          local.get $~w1
          local.get $~w1
          v128.load
          local.get $~w7
          local.get $~w2
          v128.load
          f64x2.mul
          f64x2.add
          v128.store
          local.get $~w1
          local.get $~w1
          v128.load offset=16
          local.get $~w7
          local.get $~w2
          v128.load offset=16
          f64x2.mul
          f64x2.add
          v128.store offset=16
          local.get $~t1
          i64.const 4
          i64.add
          local.set $~t1
          local.get $~w1
          i32.const 32
          i32.add
          local.set $~w1
          local.get $~w2
          i32.const 32
          i32.add
          local.set $~w2
        end
        local.get $~t1
        local.get $~t2
        i64.const 1
        i64.sub
        i64.const -9223372036854775808
        local.get $~t2
        i64.const -9223372036854775807
        i64.ge_s
        select
        i64.lt_s
        if
          local.get $~w1
          local.get $~w1
          v128.load
          local.get $~w7
          local.get $~w2
          v128.load
          f64x2.mul
          f64x2.add
          v128.store
          local.get $~t1
          i64.const 2
          i64.add
          local.set $~t1
          local.get $~w1
          i32.const 16
          i32.add
          local.set $~w1
          local.get $~w2
          i32.const 16
          i32.add
          local.set $~w2
        end
        local.get $~t1
        local.get $~w8
        i64.ne
        if
          local.get $~t1
          i64.const 1
          i64.sub
          local.set $i
        end
        local.get $~t1
        local.get $~t2
        i64.lt_s
        if
          local.get $~t1
          local.set $i
          local.get $~w1
          local.get $~w1
          f64.load
          local.get $a
          local.get $~w2
          f64.load
          f64.mul
          f64.add
          f64.store
          local.get $~t1
          i64.const 1
          i64.add
          local.set $~t1
        end
      else
        block $break11
          loop $loop12
            local.get $~t1
            local.get $~t2
            i64.ge_s
            br_if $break11
            local.get $~t1
            local.set $i
            block $continue13
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $ys
              i32.add
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $ys
              i32.add
              f64.load
              local.get $a
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load
              f64.mul
              f64.add
              f64.store
            end
            local.get $~t1
            i64.const 1
            i64.add
            local.set $~t1
            br $loop12
          end
        end
      end
    else
      block $break14
        loop $loop15
          local.get $~t1
          local.get $~t2
          i64.ge_s
          br_if $break14
          local.get $~t1
          local.set $i
          block $continue16
            local.get $i
            local.tee $~w17
            local.get $ys.d0
            i64.ge_u
            if
              i32.const 2
              global.set $portalis.error
              i32.const 6
              global.set $portalis.error_line
              unreachable
            end
            local.get $~w17
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $ys
            i32.add
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $ys
            i32.add
            f64.load
            local.get $a
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load
            f64.mul
            f64.add
            f64.store
          end
          local.get $~t1
          i64.const 1
          i64.add
          local.set $~t1
          br $loop15
        end
      end
    end
  )
  (func $countdown (export "countdown") (param $n i64) (result i64)
    (local $total i64)
    (local $~w4 i64)
    (local $~w5 i64)
    (local $~w7 i64)
    (local $~w8 i64)
    (local $~w10 i64)
    (local $~w11 i64)
    (local $~w13 i64)
    (local $~w14 i64)
    i64.const 0
    local.set $total
    block $break1
      loop $loop2
        local.get $n
        i64.const 0
        i64.gt_s
        i32.eqz
        br_if $break1
        block $continue3
          local.get $n
          local.set $~w4
          i64.const 7
          local.set $~w5
          local.get $~w4
          local.get $~w5
          i64.or
          i64.const 32
          i64.shr_u
          i64.eqz
          if (result i64)
            local.get $~w4
            i32.wrap_i64
            local.get $~w5
            i32.wrap_i64
            i32.rem_u
            i64.extend_i32_u
          else
            local.get $~w4
            local.get $~w5
            i64.rem_s
          end
          i64.eqz
          if
            local.get $n
            i64.const 1
            i64.sub
            local.set $n
            br $continue3
          end
          local.get $total
          local.get $n
          i64.add
          local.set $total
          local.get $n
          i64.const 1
          i64.sub
          local.set $n
        end
        local.get $n
        i64.const 0
        i64.gt_s
        i32.eqz
        br_if $break1
        block $continue6
          local.get $n
          local.set $~w7
          i64.const 7
          local.set $~w8
          local.get $~w7
          local.get $~w8
          i64.or
          i64.const 32
          i64.shr_u
          i64.eqz
          if (result i64)
            local.get $~w7
            i32.wrap_i64
            local.get $~w8
            i32.wrap_i64
            i32.rem_u
            i64.extend_i32_u
          else
            local.get $~w7
            local.get $~w8
            i64.rem_s
          end
          i64.eqz
          if
            local.get $n
            i64.const 1
            i64.sub
            local.set $n
            br $continue6
          end
          local.get $total
          local.get $n
          i64.add
          local.set $total
          local.get $n
          i64.const 1
          i64.sub
          local.set $n
        end
        local.get $n
        i64.const 0
        i64.gt_s
        i32.eqz
        br_if $break1
        block $continue9
          local.get $n
          local.set $~w10
          i64.const 7
          local.set $~w11
          local.get $~w10
          local.get $~w11
          i64.or
          i64.const 32
          i64.shr_u
          i64.eqz
          if (result i64)
            local.get $~w10
            i32.wrap_i64
            local.get $~w11
            i32.wrap_i64
            i32.rem_u
            i64.extend_i32_u
          else
            local.get $~w10
            local.get $~w11
            i64.rem_s
          end
          i64.eqz
          if
            local.get $n
            i64.const 1
            i64.sub
            local.set $n
            br $continue9
          end
          local.get $total
          local.get $n
          i64.add
          local.set $total
          local.get $n
          i64.const 1
          i64.sub
          local.set $n
        end
        local.get $n
        i64.const 0
        i64.gt_s
        i32.eqz
        br_if $break1
        block $continue12
          local.get $n
          local.set $~w13
          i64.const 7
          local.set $~w14
          local.get $~w13
          local.get $~w14
          i64.or
          i64.const 32
          i64.shr_u
          i64.eqz
          if (result i64)
            local.get $~w13
            i32.wrap_i64
            local.get $~w14
            i32.wrap_i64
            i32.rem_u
            i64.extend_i32_u
          else
            local.get $~w13
            local.get $~w14
            i64.rem_s
          end
          i64.eqz
          if
            local.get $n
            i64.const 1
            i64.sub
            local.set $n
            br $continue12
          end
          local.get $total
          local.get $n
          i64.add
          local.set $total
          local.get $n
          i64.const 1
          i64.sub
          local.set $n
        end
        br $loop2
      end
    end
    local.get $total
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
