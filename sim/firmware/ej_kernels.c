/* int8 inference kernels run by the `emu` backend on the real instruction sets (Cortex-M0+,
 * M4, M7, RV32IMC). Arithmetic follows the TFLite-micro / CMSIS-NN int8 scheme (Jacob et
 * al. 2018, "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-
 * Only Inference"); results are bit-exact to the host reference in sim/nn. Freestanding:
 * no C library, no static data, only libgcc helpers (64-bit multiply and shift, division)
 * on cores that lack the instructions. */
#include "ej_kernels.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
/* SXTB16 Rd, Rm, ROR #8: bytes 1 and 3 sign-extended to halfwords (GCC 12 has no ACLE form
 * of the rotated operand and would spend a separate rotate). */
static inline uint32_t ej_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#endif

#define EJ_I8(addr) ((const int8_t*)(uintptr_t)(addr))
#define EJ_I32(addr) ((const int32_t*)(uintptr_t)(addr))

/* (acc * m + 2^(30 - s)) >> (31 - s): rounding Q31 multiply by a multiplier m * 2^(s-31). */
static inline int32_t ej_requant(int32_t acc, int32_t m, int32_t s) {
  const int32_t total = 31 - s;
  const int64_t prod = (int64_t)acc * m + ((int64_t)1 << (total - 1));
  return (int32_t)(prod >> total);
}

static inline int32_t ej_clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Dot product of N int8 inputs (offset by in_off) with N int8 weights, added to ACC. */
static inline int32_t ej_dot_s8(const int8_t* x, const int8_t* w, int32_t n, int32_t in_off,
                                int32_t acc) {
  int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
  /* Four pairs per step with SXTB16 + SADD16 + two SMLAD, as CMSIS-NN's
   * arm_nn_vec_mat_mult_t_s8 does (Lai et al. 2018, sec. 3). */
  const uint32_t off2 = ((uint32_t)in_off & 0xFFFFu) * 0x00010001u;
  for (; i + 4 <= n; i += 4) {
    uint32_t xv;
    uint32_t wv;
    __builtin_memcpy(&xv, x + i, 4);
    __builtin_memcpy(&wv, w + i, 4);
    const uint32_t x02 = __sadd16(__sxtb16(xv), off2);
    const uint32_t x13 = __sadd16(ej_sxtb16_ror8(xv), off2);
    acc = __smlad(x02, __sxtb16(wv), acc);
    acc = __smlad(x13, ej_sxtb16_ror8(wv), acc);
  }
#endif
  for (; i < n; ++i) acc += (x[i] + in_off) * w[i];
  return acc;
}

/* The same without an input offset (FC layers fold it into their bias). */
static inline int32_t ej_dot_s8_raw(const int8_t* x, const int8_t* w, int32_t n, int32_t acc) {
  int32_t i = 0;
#if defined(__ARM_FEATURE_DSP)
  for (; i + 4 <= n; i += 4) {
    uint32_t xv;
    uint32_t wv;
    __builtin_memcpy(&xv, x + i, 4);
    __builtin_memcpy(&wv, w + i, 4);
    acc = __smlad(__sxtb16(xv), __sxtb16(wv), acc);
    acc = __smlad(ej_sxtb16_ror8(xv), ej_sxtb16_ror8(wv), acc);
  }
#endif
  for (; i < n; ++i) acc += x[i] * w[i];
  return acc;
}

/* Each kernel is kept out of line so that it gets the registers to itself. */
#define EJ_KERNEL static __attribute__((noinline))

EJ_KERNEL void ej_conv_s8(const ej_layer_t* d) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* weights = EJ_I8(d->weights);
  const int32_t* bias = EJ_I32(d->bias);
  const int32_t* mult = EJ_I32(d->mult);
  const int32_t* shift = EJ_I32(d->shift);
  const int32_t in_h = d->in_h, in_w = d->in_w, out_h = d->out_h, out_w = d->out_w;
  const int32_t k_h = d->k_h, k_w = d->k_w, stride_h = d->stride_h, stride_w = d->stride_w;
  const int32_t pad_t = d->pad_t, pad_l = d->pad_l, out_zp = d->out_zp;
  const int32_t act_min = d->act_min, act_max = d->act_max;
  const int32_t cin_g = d->in_c / d->groups;
  const int32_t cout_g = d->out_c / d->groups;
  const int32_t kk = k_h * k_w;
  const int32_t plane = in_h * in_w;
  const int32_t in_off = -d->in_zp;
  for (int32_t oc = 0; oc < d->out_c; ++oc) {
    const int8_t* wk = weights + oc * cin_g * kk;
    const int8_t* in_g = in + (oc / cout_g) * cin_g * plane;
    const int32_t m = mult[oc], s = shift[oc], b = bias[oc];
    for (int32_t oy = 0; oy < out_h; ++oy) {
      /* The window clipped to the input once per row and column: no test per tap. */
      const int32_t iy0 = oy * stride_h - pad_t;
      const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
      const int32_t ky1 = in_h - iy0 < k_h ? in_h - iy0 : k_h;
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * stride_w - pad_l;
        const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t kx1 = in_w - ix0 < k_w ? in_w - ix0 : k_w;
        const int32_t n = kx1 - kx0;
        int32_t acc = b;
        for (int32_t ci = 0; ci < cin_g; ++ci) {
          const int8_t* src = in_g + ci * plane + (iy0 + ky0) * in_w + ix0 + kx0;
          const int8_t* wr = wk + ci * kk + ky0 * k_w + kx0;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            acc = ej_dot_s8(src, wr, n, in_off, acc);
            src += in_w;
            wr += k_w;
          }
        }
        acc = ej_requant(acc, m, s) + out_zp;
        out[(oc * out_h + oy) * out_w + ox] = (int8_t)ej_clamp(acc, act_min, act_max);
      }
    }
  }
}

/* Convolution with unstructured-pruned weights: per output channel only its non-zero taps,
 * each an int8 value and the uint16 offset of its input in the channel group
 * (ci*in_h*in_w + ky*in_w + kx), so a window inside the input costs one load pair and one
 * multiply-accumulate per non-zero. The bias holds bias - in_zp*sum(w) (as for FC): inside
 * the input the products are raw. A window clipped by padding (only there are the taps
 * read) takes a missing input as in_zp, i.e. the real value 0 that padding stands for. */
EJ_KERNEL void ej_conv_sparse_s8(const ej_layer_t* d) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* values = EJ_I8(d->weights);
  const uint32_t* row_ptr = (const uint32_t*)(uintptr_t)d->row_ptr;
  const uint16_t* offset = (const uint16_t*)(uintptr_t)d->col_idx;
  const uint16_t* taps = (const uint16_t*)(uintptr_t)d->taps;
  const int32_t* bias = EJ_I32(d->bias);
  const int32_t* mult = EJ_I32(d->mult);
  const int32_t* shift = EJ_I32(d->shift);
  const int32_t in_h = d->in_h, in_w = d->in_w, out_h = d->out_h, out_w = d->out_w;
  const int32_t k_h = d->k_h, k_w = d->k_w, stride_h = d->stride_h, stride_w = d->stride_w;
  const int32_t pad_t = d->pad_t, pad_l = d->pad_l, out_zp = d->out_zp, in_zp = d->in_zp;
  const int32_t act_min = d->act_min, act_max = d->act_max;
  const int32_t cin_g = d->in_c / d->groups;
  const int32_t cout_g = d->out_c / d->groups;
  const int32_t group_size = cin_g * in_h * in_w;
  for (int32_t oc = 0; oc < d->out_c; ++oc) {
    const int8_t* in_g = in + (oc / cout_g) * group_size;
    const uint32_t j0 = row_ptr[oc], j1 = row_ptr[oc + 1];
    const int32_t m = mult[oc], s = shift[oc], b = bias[oc];
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * stride_h - pad_t;
      const int32_t rows_inside = iy0 >= 0 && iy0 + k_h <= in_h;
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * stride_w - pad_l;
        const int32_t base = iy0 * in_w + ix0;
        int32_t acc = b;
        if (rows_inside && ix0 >= 0 && ix0 + k_w <= in_w) {
          const int8_t* src = in_g + base;
          for (uint32_t j = j0; j < j1; ++j) acc += src[offset[j]] * values[j];
        } else {
          for (uint32_t j = j0; j < j1; ++j) {
            const int32_t iy = iy0 + (taps[j] >> 8), ix = ix0 + (taps[j] & 0xFF);
            const int32_t x = (uint32_t)iy < (uint32_t)in_h && (uint32_t)ix < (uint32_t)in_w
                                  ? in_g[base + offset[j]]
                                  : in_zp;
            acc += x * values[j];
          }
        }
        acc = ej_requant(acc, m, s) + out_zp;
        out[(oc * out_h + oy) * out_w + ox] = (int8_t)ej_clamp(acc, act_min, act_max);
      }
    }
  }
}

EJ_KERNEL void ej_fc_s8(const ej_layer_t* d) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* weights = EJ_I8(d->weights);
  const int32_t* bias = EJ_I32(d->bias);
  const int32_t* mult = EJ_I32(d->mult);
  const int32_t* shift = EJ_I32(d->shift);
  for (int32_t oc = 0; oc < d->out_c; ++oc) {
    int32_t acc = ej_dot_s8_raw(in, weights + oc * d->in_c, d->in_c, bias[oc]);
    acc = ej_requant(acc, mult[oc], shift[oc]) + d->out_zp;
    out[oc] = (int8_t)ej_clamp(acc, d->act_min, d->act_max);
  }
}

EJ_KERNEL void ej_fc_sparse_s8(const ej_layer_t* d) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* values = EJ_I8(d->weights);
  const uint32_t* row_ptr = (const uint32_t*)(uintptr_t)d->row_ptr;
  const uint16_t* col = (const uint16_t*)(uintptr_t)d->col_idx;
  const int32_t* bias = EJ_I32(d->bias);
  const int32_t* mult = EJ_I32(d->mult);
  const int32_t* shift = EJ_I32(d->shift);
  for (int32_t oc = 0; oc < d->out_c; ++oc) {
    int32_t acc = bias[oc];
    const uint32_t end = row_ptr[oc + 1];
    for (uint32_t j = row_ptr[oc]; j < end; ++j) acc += in[col[j]] * values[j];
    acc = ej_requant(acc, mult[oc], shift[oc]) + d->out_zp;
    out[oc] = (int8_t)ej_clamp(acc, d->act_min, d->act_max);
  }
}

EJ_KERNEL void ej_add_s8(const ej_layer_t* d) {
  const int8_t* a = EJ_I8(d->in0);
  const int8_t* b = EJ_I8(d->in1);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int32_t n = d->out_c * d->out_h * d->out_w;
  for (int32_t i = 0; i < n; ++i) {
    const int32_t sa = ej_requant((a[i] - d->in_zp) << d->left_shift, d->in_mult, d->in_shift);
    const int32_t sb = ej_requant((b[i] - d->in1_zp) << d->left_shift, d->in1_mult, d->in1_shift);
    const int32_t r = ej_requant(sa + sb, d->out_mult, d->out_shift) + d->out_zp;
    out[i] = (int8_t)ej_clamp(r, d->act_min, d->act_max);
  }
}

/* Add with the second input broadcast: in1 has shape (in1_c, in1_h, in1_w), each 1 or the
 * output's; a dimension of 1 is read with stride 0 (numpy broadcasting). */
EJ_KERNEL void ej_add_bcast_s8(const ej_layer_t* d) {
  const int8_t* a = EJ_I8(d->in0);
  const int8_t* b = EJ_I8(d->in1);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int32_t sc = d->in1_c == 1 ? 0 : d->in1_h * d->in1_w;
  const int32_t sy = d->in1_h == 1 ? 0 : d->in1_w;
  const int32_t sx = d->in1_w == 1 ? 0 : 1;
  for (int32_t c = 0; c < d->out_c; ++c) {
    for (int32_t y = 0; y < d->out_h; ++y) {
      const int8_t* brow = b + c * sc + y * sy;
      for (int32_t x = 0; x < d->out_w; ++x) {
        const int32_t sa = ej_requant((*a++ - d->in_zp) << d->left_shift, d->in_mult, d->in_shift);
        const int32_t sb =
            ej_requant((brow[x * sx] - d->in1_zp) << d->left_shift, d->in1_mult, d->in1_shift);
        const int32_t r = ej_requant(sa + sb, d->out_mult, d->out_shift) + d->out_zp;
        *out++ = (int8_t)ej_clamp(r, d->act_min, d->act_max);
      }
    }
  }
}

EJ_KERNEL void ej_clamp_s8(const ej_layer_t* d) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int32_t n = d->out_c * d->out_h * d->out_w;
  for (int32_t i = 0; i < n; ++i) out[i] = (int8_t)ej_clamp(in[i], d->act_min, d->act_max);
}

EJ_KERNEL void ej_pool_s8(const ej_layer_t* d, int32_t average) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  for (int32_t c = 0; c < d->out_c; ++c) {
    const int8_t* src = in + c * d->in_h * d->in_w;
    for (int32_t oy = 0; oy < d->out_h; ++oy) {
      for (int32_t ox = 0; ox < d->out_w; ++ox) {
        const int32_t iy0 = oy * d->stride_h - d->pad_t;
        const int32_t ix0 = ox * d->stride_w - d->pad_l;
        int32_t acc = average ? 0 : -128;
        int32_t count = 0;
        for (int32_t ky = 0; ky < d->k_h; ++ky) {
          const int32_t iy = iy0 + ky;
          if (iy < 0 || iy >= d->in_h) continue;
          for (int32_t kx = 0; kx < d->k_w; ++kx) {
            const int32_t ix = ix0 + kx;
            if (ix < 0 || ix >= d->in_w) continue;
            const int32_t v = src[iy * d->in_w + ix];
            if (average) {
              acc += v;
            } else if (v > acc) {
              acc = v;
            }
            ++count;
          }
        }
        if (average && count > 0) {
          acc = (acc >= 0 ? acc + count / 2 : acc - count / 2) / count;
        }
        out[(c * d->out_h + oy) * d->out_w + ox] = (int8_t)ej_clamp(acc, d->act_min, d->act_max);
      }
    }
  }
}

/* Softmax with output scale 1/256 and zero point -128 (the TFLite int8 convention):
 * e_i = table[max - x_i] = round(65536 * exp(-(max - x_i) * in_scale)). */
EJ_KERNEL void ej_softmax_s8(const ej_layer_t* d) {
  const int8_t* in = EJ_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const uint32_t* table = (const uint32_t*)(uintptr_t)d->weights;
  const int32_t n = d->out_c * d->out_h * d->out_w;
  int32_t max = -128;
  for (int32_t i = 0; i < n; ++i) max = in[i] > max ? in[i] : max;
  uint32_t sum = 0;
  for (int32_t i = 0; i < n; ++i) sum += table[max - in[i]];
  for (int32_t i = 0; i < n; ++i) {
    const uint32_t q = (table[max - in[i]] * 256u + sum / 2u) / sum;
    out[i] = (int8_t)ej_clamp((int32_t)q - 128, -128, 127);
  }
}

int32_t ej_run_layer(const ej_layer_t* layer) {
#if defined(EJ_KERNELS_OPTIMIZED) /* the optimized images: ej_kernels_opt.c first */
  if (ej_run_layer_opt(layer)) return 0;
#endif
  switch (layer->op) {
    case EJ_OP_CONV:
      ej_conv_s8(layer);
      return 0;
    case EJ_OP_FC:
      ej_fc_s8(layer);
      return 0;
    case EJ_OP_FC_SPARSE:
      ej_fc_sparse_s8(layer);
      return 0;
    case EJ_OP_ADD:
      ej_add_s8(layer);
      return 0;
    case EJ_OP_CLAMP:
      ej_clamp_s8(layer);
      return 0;
    case EJ_OP_MAXPOOL:
      ej_pool_s8(layer, 0);
      return 0;
    case EJ_OP_AVGPOOL:
      ej_pool_s8(layer, 1);
      return 0;
    case EJ_OP_SOFTMAX:
      ej_softmax_s8(layer);
      return 0;
    case EJ_OP_CONV_SPARSE:
      ej_conv_sparse_s8(layer);
      return 0;
    case EJ_OP_ADD_BCAST:
      ej_add_bcast_s8(layer);
      return 0;
    default:
      return -1;
  }
}
