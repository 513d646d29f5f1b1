;; compiled by portalis.lang from bounds.py
(module
  (memory (export "memory") 2)
  (global $portalis.error (export "portalis.error") (mut i32) (i32.const 0))
  (global $portalis.error_line (export "portalis.error_line") (mut i32) (i32.const 0))
  (global $~heap (mut i32) (i32.const 16))
  (global $~free (mut i32) (i32.const 0))
  (func $laplacian (export "laplacian") (param $xs i32) (param $xs.n0 i32) (param $out i32) (param $out.n0 i32)
    (local $n i64)
    (local $i i64)
    (local $~t1 i64)
    (local $~t2 i64)
    (local $~t3 i64)
    (local $~t4 f64)
    (local $xs.d0 i64)
    (local $out.d0 i64)
    (local $~w1 i32)
    (local $~w2 i32)
    (local $~w3 i64)
    (local $~w4 i64)
    (local $~w5 i64)
    (local $~w6 i64)
    (local $~w7 v128)
    (local $~w8 v128)
    (local $~w9 i64)
    (local $~w12 v128)
    (local $~w13 v128)
    (local $~w14 v128)
    (local $~w15 v128)
    (local $~w16 v128)
    (local $~w17 v128)
    (local $~w18 v128)
    (local $~w25 i64)
    local.get $xs.n0
    i64.extend_i32_u
    local.set $xs.d0
    local.get $out.n0
    i64.extend_i32_u
    local.set $out.d0
    local.get $xs.d0
    local.set $n
    i64.const 1
    local.set $~t1
    local.get $n
    i64.const 1
    i64.sub
    local.set $~t2
    i32.const 1
    local.get $~t1
    i64.const 0
    i64.ge_s
    local.get $~t2
    local.get $out.d0
    i64.const 0
    i64.sub
    i64.le_s
    i32.and
    i32.and
    if
      i64.const -1
      local.get $~t1
      i64.add
      i32.wrap_i64
      i32.const 3
      i32.shl
      local.get $xs
      i32.add
      local.set $~w1
      i64.const 0
      local.get $~t1
      i64.add
      i32.wrap_i64
      i32.const 3
      i32.shl
      local.get $out
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
      i64.const 2
      i64.add
      i64.const 8
      i64.mul
      i64.add
      local.set $~w6
      local.get $~w4
      local.get $~w5
      i64.le_s
      local.get $~w6
      local.get $~w3
      i64.le_s
      i32.or
      i32.and
      if
        f64.const 2.0
        f64x2.splat
        local.set $~w7
        local.get $~t1
        local.set $~w9
        block $vectors10
          loop $vector11
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
            br_if $vectors10
            local.get $~w1
            v128.load
            local.get $~w7
            local.get $~w1
            v128.load offset=8
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=16
            local.tee $~w12
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store
            local.get $~w12
            local.get $~w7
            local.get $~w1
            v128.load offset=24
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=32
            local.tee $~w13
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=16
            local.get $~w13
            local.get $~w7
            local.get $~w1
            v128.load offset=40
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=48
            local.tee $~w14
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=32
            local.get $~w14
            local.get $~w7
            local.get $~w1
            v128.load offset=56
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=64
            local.tee $~w15
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=48
            local.get $~w15
            local.get $~w7
            local.get $~w1
            v128.load offset=72
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=80
            local.tee $~w16
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=64
            local.get $~w16
            local.get $~w7
            local.get $~w1
            v128.load offset=88
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=96
            local.tee $~w17
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=80
            local.get $~w17
            local.get $~w7
            local.get $~w1
            v128.load offset=104
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=112
            local.tee $~w18
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=96
            local.get $~w18
            local.get $~w7
            local.get $~w1
            v128.load offset=120
            f64x2.mul
            f64x2.sub
            local.get $~w1
            v128.load offset=128
            f64x2.add
            local.set $~w8
            local.get $~w2
            local.get $~w8
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
            br $vector11
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
          v128.load
          local.get $~w7
          local.get $~w1
          v128.load offset=8
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=16
          local.tee $~w12
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store
          local.get $~w12
          local.get $~w7
          local.get $~w1
          v128.load offset=24
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=32
          local.tee $~w13
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store offset=16
          local.get $~w13
          local.get $~w7
          local.get $~w1
          v128.load offset=40
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=48
          local.tee $~w14
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store offset=32
          local.get $~w14
          local.get $~w7
          local.get $~w1
          v128.load offset=56
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=64
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
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
          v128.load
          local.get $~w7
          local.get $~w1
          v128.load offset=8
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=16
          local.tee $~w12
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store
          local.get $~w12
          local.get $~w7
          local.get $~w1
          v128.load offset=24
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=32
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
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
          v128.load
          local.get $~w7
          local.get $~w1
          v128.load offset=8
          f64x2.mul
          f64x2.sub
          local.get $~w1
          v128.load offset=16
          f64x2.add
          local.set $~w8
          local.get $~w2
          local.get $~w8
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
        local.get $~w9
        i64.ne
        if
          local.get $~t1
          i64.const 1
          i64.sub
          local.set $i
          local.get $~w8
          f64x2.extract_lane 1
          local.set $~t4
        end
        local.get $~t1
        local.get $~t2
        i64.lt_s
        if
          local.get $~t1
          local.set $i
          local.get $~w1
          f64.load
          local.get $~w1
          f64.load offset=8
          f64.const 2.0
          f64.mul
          f64.sub
          local.get $~w1
          f64.load offset=16
          f64.add
          local.set $~t4
          local.get $~w2
          local.get $~t4
          f64.store
          local.get $~t1
          i64.const 1
          i64.add
          local.set $~t1
        end
      else
        block $break19
          loop $loop20
            local.get $~t1
            local.get $~t2
            i64.ge_s
            br_if $break19
            local.get $~t1
            local.set $i
            block $continue21
              local.get $i
              i64.const 1
              i64.sub
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load
              f64.const 2.0
              f64.mul
              f64.sub
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load offset=8
              f64.add
              local.set $~t4
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $out
              i32.add
              local.get $~t4
              f64.store
            end
            local.get $~t1
            i64.const 1
            i64.add
            local.set $~t1
            br $loop20
          end
        end
      end
    else
      block $break22
        loop $loop23
          local.get $~t1
          local.get $~t2
          i64.ge_s
          br_if $break22
          local.get $~t1
          local.set $i
          block $continue24
            local.get $i
            i64.const 1
            i64.sub
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load
            f64.const 2.0
            f64.mul
            f64.sub
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load offset=8
            f64.add
            local.set $~t4
            local.get $i
            local.tee $~w25
            local.get $out.d0
            i64.ge_u
            if
              i32.const 2
              global.set $portalis.error
              i32.const 7
              global.set $portalis.error_line
              unreachable
            end
            local.get $~w25
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $out
            i32.add
            local.get $~t4
            f64.store
          end
          local.get $~t1
          i64.const 1
          i64.add
          local.set $~t1
          br $loop23
        end
      end
    end
  )
  (func $smooth (export "smooth") (param $xs i32) (param $xs.n0 i32) (param $out i32) (param $out.n0 i32)
    (local $i i64)
    (local $~t1 i64)
    (local $~t2 i64)
    (local $~t3 i64)
    (local $~t4 f64)
    (local $xs.d0 i64)
    (local $out.d0 i64)
    (local $~w1 i32)
    (local $~w2 i32)
    (local $~w3 i64)
    (local $~w4 i64)
    (local $~w5 i64)
    (local $~w6 i64)
    (local $~w7 v128)
    (local $~w8 v128)
    (local $~w9 i64)
    (local $~w12 v128)
    (local $~w13 v128)
    (local $~w14 v128)
    (local $~w15 v128)
    (local $~w16 v128)
    (local $~w17 v128)
    (local $~w18 v128)
    local.get $xs.n0
    i64.extend_i32_u
    local.set $xs.d0
    local.get $out.n0
    i64.extend_i32_u
    local.set $out.d0
    local.get $out.d0
    local.get $xs.d0
    i64.eq
    if
    else
      i32.const 4
      global.set $portalis.error
      i32.const 11
      global.set $portalis.error_line
      unreachable
    end
    i64.const 1
    local.set $~t1
    local.get $xs.d0
    i64.const 1
    i64.sub
    local.set $~t2
    i32.const 1
    if
      i64.const -1
      local.get $~t1
      i64.add
      i32.wrap_i64
      i32.const 3
      i32.shl
      local.get $xs
      i32.add
      local.set $~w1
      i64.const 0
      local.get $~t1
      i64.add
      i32.wrap_i64
      i32.const 3
      i32.shl
      local.get $out
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
      i64.const 2
      i64.add
      i64.const 8
      i64.mul
      i64.add
      local.set $~w6
      local.get $~w4
      local.get $~w5
      i64.le_s
      local.get $~w6
      local.get $~w3
      i64.le_s
      i32.or
      i32.and
      if
        f64.const 3.0
        f64x2.splat
        local.set $~w7
        local.get $~t1
        local.set $~w9
        block $vectors10
          loop $vector11
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
            br_if $vectors10
            local.get $~w1
            v128.load
            local.get $~w1
            v128.load offset=8
            f64x2.add
            local.get $~w1
            v128.load offset=16
            local.tee $~w12
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store
            local.get $~w12
            local.get $~w1
            v128.load offset=24
            f64x2.add
            local.get $~w1
            v128.load offset=32
            local.tee $~w13
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=16
            local.get $~w13
            local.get $~w1
            v128.load offset=40
            f64x2.add
            local.get $~w1
            v128.load offset=48
            local.tee $~w14
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=32
            local.get $~w14
            local.get $~w1
            v128.load offset=56
            f64x2.add
            local.get $~w1
            v128.load offset=64
            local.tee $~w15
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=48
            local.get $~w15
            local.get $~w1
            v128.load offset=72
            f64x2.add
            local.get $~w1
            v128.load offset=80
            local.tee $~w16
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=64
            local.get $~w16
            local.get $~w1
            v128.load offset=88
            f64x2.add
            local.get $~w1
            v128.load offset=96
            local.tee $~w17
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=80
            local.get $~w17
            local.get $~w1
            v128.load offset=104
            f64x2.add
            local.get $~w1
            v128.load offset=112
            local.tee $~w18
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
            v128.store offset=96
            local.get $~w18
            local.get $~w1
            v128.load offset=120
            f64x2.add
            local.get $~w1
            v128.load offset=128
            f64x2.add
            local.get $~w7
            f64x2.div
            local.set $~w8
            local.get $~w2
            local.get $~w8
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
            br $vector11
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
          v128.load
          local.get $~w1
          v128.load offset=8
          f64x2.add
          local.get $~w1
          v128.load offset=16
          local.tee $~w12
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store
          local.get $~w12
          local.get $~w1
          v128.load offset=24
          f64x2.add
          local.get $~w1
          v128.load offset=32
          local.tee $~w13
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store offset=16
          local.get $~w13
          local.get $~w1
          v128.load offset=40
          f64x2.add
          local.get $~w1
          v128.load offset=48
          local.tee $~w14
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store offset=32
          local.get $~w14
          local.get $~w1
          v128.load offset=56
          f64x2.add
          local.get $~w1
          v128.load offset=64
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
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
          v128.load
          local.get $~w1
          v128.load offset=8
          f64x2.add
          local.get $~w1
          v128.load offset=16
          local.tee $~w12
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
          v128.store
          local.get $~w12
          local.get $~w1
          v128.load offset=24
          f64x2.add
          local.get $~w1
          v128.load offset=32
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
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
          v128.load
          local.get $~w1
          v128.load offset=8
          f64x2.add
          local.get $~w1
          v128.load offset=16
          f64x2.add
          local.get $~w7
          f64x2.div
          local.set $~w8
          local.get $~w2
          local.get $~w8
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
        local.get $~w9
        i64.ne
        if
          local.get $~t1
          i64.const 1
          i64.sub
          local.set $i
          local.get $~w8
          f64x2.extract_lane 1
          local.set $~t4
        end
        local.get $~t1
        local.get $~t2
        i64.lt_s
        if
          local.get $~t1
          local.set $i
          local.get $~w1
          f64.load
          local.get $~w1
          f64.load offset=8
          f64.add
          local.get $~w1
          f64.load offset=16
          f64.add
          f64.const 3.0
          f64.div
          local.set $~t4
          local.get $~w2
          local.get $~t4
          f64.store
          local.get $~t1
          i64.const 1
          i64.add
          local.set $~t1
        end
      else
        block $break19
          loop $loop20
            local.get $~t1
            local.get $~t2
            i64.ge_s
            br_if $break19
            local.get $~t1
            local.set $i
            block $continue21
              local.get $i
              i64.const 1
              i64.sub
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load
              f64.add
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $xs
              i32.add
              f64.load offset=8
              f64.add
              f64.const 3.0
              f64.div
              local.set $~t4
              local.get $i
              i32.wrap_i64
              i32.const 3
              i32.shl
              local.get $out
              i32.add
              local.get $~t4
              f64.store
            end
            local.get $~t1
            i64.const 1
            i64.add
            local.set $~t1
            br $loop20
          end
        end
      end
    else
      block $break22
        loop $loop23
          local.get $~t1
          local.get $~t2
          i64.ge_s
          br_if $break22
          local.get $~t1
          local.set $i
          block $continue24
            local.get $i
            i64.const 1
            i64.sub
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load
            f64.add
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $xs
            i32.add
            f64.load offset=8
            f64.add
            f64.const 3.0
            f64.div
            local.set $~t4
            local.get $i
            i32.wrap_i64
            i32.const 3
            i32.shl
            local.get $out
            i32.add
            local.get $~t4
            f64.store
          end
          local.get $~t1
          i64.const 1
          i64.add
          local.set $~t1
          br $loop23
        end
      end
    end
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
