/* The `optimized` kernel library: the class of CMSIS-NN (Armv7E-M) and ESP-NN's generic C
 * (RV32IMC), written in this project from the techniques those libraries document (Lai et
 * al. 2018, "CMSIS-NN: Efficient Neural Network Kernels for Arm Cortex-M CPUs"; Espressif's
 * ESP-NN README), not copied. Built only into the *_optimized images (EJ_KERNELS_OPTIMIZED):
 * ej_run_layer() asks ej_run_layer_opt() first and runs the reference kernel of
 * ej_kernels.c for every layer it declines (pools, Add, Clamp, Softmax, sparse layers, new
 * ops), so one switch (the image) selects the library.
 *
 * Activations stay NCHW (as the reference): the inner loops are those of CMSIS-NN's NHWC
 * kernels because the convolution first copies each output pixel's receptive field into an
 * int16 column (im2col, input offset added, padding 0), in the order (ci, ky, kx) of the
 * weight rows; the layout only changes how that column is gathered.
 *
 *  - Convolution (groups >= 1, not depthwise): im2col of two output pixels, then a 2x2
 *    block (two filters x two columns, four accumulators). Armv7E-M: the host stores each
 *    weight row reordered in groups of four ([w0 w2 w1 w3], Lai et al. 2018 sec. 3.1), so
 *    SXTB16 and SXTB16 ROR #8 of one word give the pairs (w0,w1) and (w2,w3) that match two
 *    words of the int16 column; eight SMLAD per four taps. Elsewhere the same block in plain
 *    C, unrolled by two. 1x1 convolutions gather their column without window arithmetic.
 *  - Depthwise 3x3 (groups = in_c = out_c): the nine weights held in registers; outputs
 *    whose window lies inside the input take raw products with the bias pre-summed with
 *    in_offset*sum(w); on Armv7E-M one word load, two SXTB16, one PKHBT, SMLAD and SMLATB
 *    per kernel row. Border outputs use the clipped window with the offset.
 *  - Fully connected: Armv7E-M: the input converted once to an int16 column, then the
 *    same inner loop with two filters at a time; elsewhere four rows at a time (four
 *    accumulators) sharing each input load.
 * Requantisation is the reference's (acc*m + 2^(30-s)) >> (31-s), exact; for s < 0 only the
 * high word of the 64-bit sum is shifted (one SMLAL-class multiply-accumulate and one
 * shift on Armv7E-M). */
#include "ej_kernels.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
static inline uint32_t ej_opt_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#endif

#define EJ_OPT static __attribute__((noinline))
#define EJ_OPT_I8(addr) ((const int8_t*)(uintptr_t)(addr))
#define EJ_OPT_I32(addr) ((const int32_t*)(uintptr_t)(addr))

static inline uint32_t ej_opt_load32(const void* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

/* (acc*m + 2^(30-s)) >> (31-s), as the reference. For s < 0 the shift is at least 32, so
 * the high word shifted by -1-s is the same value. */
static inline int32_t ej_opt_requant(int32_t acc, int32_t m, int32_t s) {
  if (s < 0) {
    const int64_t p = (int64_t)acc * m + ((int64_t)1 << (30 - s));
    return (int32_t)(p >> 32) >> (-1 - s);
  }
  const int32_t total = 31 - s;
  const int64_t p = (int64_t)acc * m + ((int64_t)1 << (total - 1));
  return (int32_t)(p >> total);
}

static inline int8_t ej_opt_out(int32_t acc, int32_t m, int32_t s, int32_t zp, int32_t lo,
                                int32_t hi) {
  int32_t v = ej_opt_requant(acc, m, s) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

/* Acc[0..3] (filter a x column 0, a x 1, b x 0, b x 1) += K taps. */
static inline void ej_opt_block2x2(const int8_t* wa, const int8_t* wb, const int16_t* c0,
                                   const int16_t* c1, int32_t k, int32_t* acc) {
  int32_t s00 = acc[0], s01 = acc[1], s10 = acc[2], s11 = acc[3];
  int32_t i = k >> 2;
#if defined(__ARM_FEATURE_DSP)
  for (; i > 0; --i) {
    const uint32_t w0 = ej_opt_load32(wa), w1 = ej_opt_load32(wb);
    const uint32_t x0 = ej_opt_load32(c0), x1 = ej_opt_load32(c0 + 2);
    const uint32_t y0 = ej_opt_load32(c1), y1 = ej_opt_load32(c1 + 2);
    wa += 4, wb += 4, c0 += 4, c1 += 4;
    const uint32_t a01 = __sxtb16(w0), a23 = ej_opt_ror8(w0);
    s00 = __smlad(a01, x0, s00);
    s00 = __smlad(a23, x1, s00);
    s01 = __smlad(a01, y0, s01);
    s01 = __smlad(a23, y1, s01);
    const uint32_t b01 = __sxtb16(w1), b23 = ej_opt_ror8(w1);
    s10 = __smlad(b01, x0, s10);
    s10 = __smlad(b23, x1, s10);
    s11 = __smlad(b01, y0, s11);
    s11 = __smlad(b23, y1, s11);
  }
#else
  for (i = k >> 1; i > 0; --i) {
    const int32_t a0 = wa[0], a1 = wa[1], b0 = wb[0], b1 = wb[1];
    const int32_t x0 = c0[0], x1 = c0[1], y0 = c1[0], y1 = c1[1];
    wa += 2, wb += 2, c0 += 2, c1 += 2;
    s00 += a0 * x0 + a1 * x1;
    s01 += a0 * y0 + a1 * y1;
    s10 += b0 * x0 + b1 * x1;
    s11 += b0 * y0 + b1 * y1;
  }
#endif
#if defined(__ARM_FEATURE_DSP)
  for (i = k & 3; i > 0; --i) {
#else
  for (i = k & 1; i > 0; --i) {
#endif
    const int32_t a = *wa++, b = *wb++, x = *c0++, y = *c1++;
    s00 += a * x, s01 += a * y, s10 += b * x, s11 += b * y;
  }
  acc[0] = s00, acc[1] = s01, acc[2] = s10, acc[3] = s11;
}

/* The receptive field of output (oy, ox) in group IN_G as an int16 column with the input
 * offset added; taps in the padding are 0 (the real value 0 that padding stands for). */
static inline void ej_opt_im2col(const ej_layer_t* d, const int8_t* in_g, int32_t cin_g, int32_t oy,
                                 int32_t ox, int32_t in_off, int16_t* col) {
  const int32_t in_h = d->in_h, in_w = d->in_w, k_h = d->k_h, k_w = d->k_w;
  const int32_t plane = in_h * in_w;
  const int32_t iy0 = oy * d->stride_h - d->pad_t, ix0 = ox * d->stride_w - d->pad_l;
  if (iy0 >= 0 && ix0 >= 0 && iy0 + k_h <= in_h && ix0 + k_w <= in_w) {
    const int8_t* src = in_g + iy0 * in_w + ix0;
    if (k_h == 1 && k_w == 1) { /* 1x1: the pixel's channel vector, strided by a plane */
      for (int32_t ci = 0; ci < cin_g; ++ci, src += plane) *col++ = (int16_t)(*src + in_off);
      return;
    }
    for (int32_t ci = 0; ci < cin_g; ++ci, src += plane) {
      const int8_t* row = src;
      for (int32_t ky = 0; ky < k_h; ++ky, row += in_w) {
        for (int32_t kx = 0; kx < k_w; ++kx) *col++ = (int16_t)(row[kx] + in_off);
      }
    }
    return;
  }
  for (int32_t ci = 0; ci < cin_g; ++ci) {
    const int8_t* src = in_g + ci * plane;
    for (int32_t ky = 0; ky < k_h; ++ky) {
      const int32_t iy = iy0 + ky;
      for (int32_t kx = 0; kx < k_w; ++kx) {
        const int32_t ix = ix0 + kx;
        *col++ = (uint32_t)iy < (uint32_t)in_h && (uint32_t)ix < (uint32_t)in_w
                     ? (int16_t)(src[iy * in_w + ix] + in_off)
                     : 0;
      }
    }
  }
}

EJ_OPT void ej_opt_conv(const ej_layer_t* d) {
  int16_t buf[2 * EJ_OPT_COLUMN_MAX];
  const int8_t* in = EJ_OPT_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* weights = EJ_OPT_I8(d->weights);
  const int32_t* bias = EJ_OPT_I32(d->bias);
  const int32_t* mult = EJ_OPT_I32(d->mult);
  const int32_t* shift = EJ_OPT_I32(d->shift);
  const int32_t cin_g = d->in_c / d->groups, cout_g = d->out_c / d->groups;
  const int32_t k = cin_g * d->k_h * d->k_w;
  const int32_t plane_out = d->out_h * d->out_w, plane_in = d->in_h * d->in_w;
  const int32_t in_off = -d->in_zp, out_zp = d->out_zp, lo = d->act_min, hi = d->act_max;
  int16_t* col0 = buf;
  int16_t* col1 = buf + ((k + 1) & ~1); /* word aligned */
  for (int32_t g = 0; g < d->groups; ++g) {
    const int8_t* in_g = in + g * cin_g * plane_in;
    int32_t oy = 0, ox = 0;
    for (int32_t p = 0; p < plane_out; p += 2) {
      const int32_t pair = p + 1 < plane_out;
      ej_opt_im2col(d, in_g, cin_g, oy, ox, in_off, col0);
      if (++ox == d->out_w) ox = 0, ++oy;
      if (pair) {
        ej_opt_im2col(d, in_g, cin_g, oy, ox, in_off, col1);
        if (++ox == d->out_w) ox = 0, ++oy;
      }
      /* A lone last pixel or filter is computed twice (same pointers) and stored once. */
      const int16_t* c1 = pair ? col1 : col0;
      for (int32_t f = 0; f < cout_g; f += 2) {
        const int32_t oa = g * cout_g + f;
        const int32_t ob = f + 1 < cout_g ? oa + 1 : oa;
        int32_t acc[4] = {bias[oa], bias[oa], bias[ob], bias[ob]};
        ej_opt_block2x2(weights + oa * k, weights + ob * k, col0, c1, k, acc);
        int8_t* o = out + oa * plane_out + p;
        o[0] = ej_opt_out(acc[0], mult[oa], shift[oa], out_zp, lo, hi);
        if (pair) o[1] = ej_opt_out(acc[1], mult[oa], shift[oa], out_zp, lo, hi);
        if (ob != oa) {
          o += plane_out;
          o[0] = ej_opt_out(acc[2], mult[ob], shift[ob], out_zp, lo, hi);
          if (pair) o[1] = ej_opt_out(acc[3], mult[ob], shift[ob], out_zp, lo, hi);
        }
      }
    }
  }
}

/* One output of a depthwise 3x3 whose window is clipped by the input's edge. */
static int32_t ej_opt_dw_border(const ej_layer_t* d, const int8_t* src, const int8_t* w, int32_t oy,
                                int32_t ox, int32_t acc) {
  const int32_t iy0 = oy * d->stride_h - d->pad_t, ix0 = ox * d->stride_w - d->pad_l;
  const int32_t in_off = -d->in_zp;
  for (int32_t ky = 0; ky < 3; ++ky) {
    const int32_t iy = iy0 + ky;
    if ((uint32_t)iy >= (uint32_t)d->in_h) continue;
    for (int32_t kx = 0; kx < 3; ++kx) {
      const int32_t ix = ix0 + kx;
      if ((uint32_t)ix < (uint32_t)d->in_w)
        acc += (src[iy * d->in_w + ix] + in_off) * w[ky * 3 + kx];
    }
  }
  return acc;
}

EJ_OPT void ej_opt_depthwise3x3(const ej_layer_t* d) {
  const int8_t* in = EJ_OPT_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* weights = EJ_OPT_I8(d->weights);
  const int32_t* bias = EJ_OPT_I32(d->bias);
  const int32_t* mult = EJ_OPT_I32(d->mult);
  const int32_t* shift = EJ_OPT_I32(d->shift);
  const int32_t in_h = d->in_h, in_w = d->in_w, out_h = d->out_h, out_w = d->out_w;
  const int32_t sh = d->stride_h, sw = d->stride_w, pt = d->pad_t, pl = d->pad_l;
  const int32_t in_off = -d->in_zp, out_zp = d->out_zp, lo = d->act_min, hi = d->act_max;
  /* Outputs whose window lies inside the input: oy in [y0, y1), ox in [x0, x1). */
  const int32_t y0 = (pt + sh - 1) / sh, x0 = (pl + sw - 1) / sw;
  int32_t y1 = in_h + pt >= 3 ? (in_h + pt - 3) / sh + 1 : 0;
  int32_t x1 = in_w + pl >= 3 ? (in_w + pl - 3) / sw + 1 : 0;
  y1 = y1 > out_h ? out_h : (y1 < y0 ? y0 : y1);
  x1 = x1 > out_w ? out_w : (x1 < x0 ? x0 : x1);
  for (int32_t c = 0; c < d->out_c; ++c) {
    const int8_t* src = in + c * in_h * in_w;
    const int8_t* w = weights + c * 9;
    int8_t* o = out + c * out_h * out_w;
    const int32_t m = mult[c], s = shift[c], b = bias[c];
    const int32_t bi = b + in_off * (w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7] + w[8]);
#if defined(__ARM_FEATURE_DSP)
    const uint32_t w01 = ((uint32_t)w[0] & 0xFFFFu) | ((uint32_t)w[1] << 16), w2 = (uint32_t)w[2];
    const uint32_t w34 = ((uint32_t)w[3] & 0xFFFFu) | ((uint32_t)w[4] << 16), w5 = (uint32_t)w[5];
    const uint32_t w67 = ((uint32_t)w[6] & 0xFFFFu) | ((uint32_t)w[7] << 16), w8 = (uint32_t)w[8];
#else
    const int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6],
                  w7 = w[7], w8 = w[8];
#endif
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t inner = oy >= y0 && oy < y1;
      for (int32_t ox = 0; ox < out_w; ++ox) {
        int32_t acc;
        if (inner && ox >= x0 && ox < x1) {
          const int8_t* r = src + (oy * sh - pt) * in_w + ox * sw - pl;
#if defined(__ARM_FEATURE_DSP)
          /* Row (x0 x1 x2 .): SXTB16 -> (x0,x2), ROR 8 -> (x1,x3); PKHBT -> (x0,x1). */
          uint32_t v = ej_opt_load32(r), e = __sxtb16(v), od = ej_opt_ror8(v);
          acc = __smlad((e & 0xFFFFu) | (od << 16), w01, bi);
          acc = __smlatb(e, w2, acc);
          v = ej_opt_load32(r + in_w), e = __sxtb16(v), od = ej_opt_ror8(v);
          acc = __smlad((e & 0xFFFFu) | (od << 16), w34, acc);
          acc = __smlatb(e, w5, acc);
          v = ej_opt_load32(r + 2 * in_w), e = __sxtb16(v), od = ej_opt_ror8(v);
          acc = __smlad((e & 0xFFFFu) | (od << 16), w67, acc);
          acc = __smlatb(e, w8, acc);
#else
          const int8_t* r1 = r + in_w;
          const int8_t* r2 = r1 + in_w;
          acc = bi + r[0] * w0 + r[1] * w1 + r[2] * w2;
          acc += r1[0] * w3 + r1[1] * w4 + r1[2] * w5;
          acc += r2[0] * w6 + r2[1] * w7 + r2[2] * w8;
#endif
        } else {
          acc = ej_opt_dw_border(d, src, w, oy, ox, b);
        }
        o[oy * out_w + ox] = ej_opt_out(acc, m, s, out_zp, lo, hi);
      }
    }
  }
}

EJ_OPT void ej_opt_fc(const ej_layer_t* d) {
  const int8_t* in = EJ_OPT_I8(d->in0);
  int8_t* out = (int8_t*)(uintptr_t)d->out;
  const int8_t* weights = EJ_OPT_I8(d->weights);
  const int32_t* bias = EJ_OPT_I32(d->bias);
  const int32_t* mult = EJ_OPT_I32(d->mult);
  const int32_t* shift = EJ_OPT_I32(d->shift);
  const int32_t k = d->in_c, n = d->out_c, zp = d->out_zp, lo = d->act_min, hi = d->act_max;
#if defined(__ARM_FEATURE_DSP)
  /* The input once as int16 (the bias holds -in_zp*sum(w): no offset), then two filters at
   * a time over the conv's inner loop. */
  int16_t col[EJ_OPT_COLUMN_MAX];
  int32_t i = 0;
  for (; i + 4 <= k; i += 4) {
    const uint32_t v = ej_opt_load32(in + i), e = __sxtb16(v), od = ej_opt_ror8(v);
    const uint32_t lo01 = (e & 0xFFFFu) | (od << 16), hi23 = (e >> 16) | (od & 0xFFFF0000u);
    __builtin_memcpy(col + i, &lo01, 4);
    __builtin_memcpy(col + i + 2, &hi23, 4);
  }
  for (; i < k; ++i) col[i] = in[i];
  for (int32_t o = 0; o < n; o += 2) {
    const int32_t ob = o + 1 < n ? o + 1 : o;
    /* The 2x2 block's loop with one column. */
    const int8_t* wa = weights + o * k;
    const int8_t* wb = weights + ob * k;
    const int16_t* c = col;
    int32_t s0 = bias[o], s1 = bias[ob];
    for (int32_t j = k >> 2; j > 0; --j) {
      const uint32_t w0 = ej_opt_load32(wa), w1 = ej_opt_load32(wb);
      const uint32_t x0 = ej_opt_load32(c), x1 = ej_opt_load32(c + 2);
      wa += 4, wb += 4, c += 4;
      s0 = __smlad(__sxtb16(w0), x0, s0);
      s0 = __smlad(ej_opt_ror8(w0), x1, s0);
      s1 = __smlad(__sxtb16(w1), x0, s1);
      s1 = __smlad(ej_opt_ror8(w1), x1, s1);
    }
    for (int32_t j = k & 3; j > 0; --j) {
      const int32_t x = *c++;
      s0 += *wa++ * x, s1 += *wb++ * x;
    }
    out[o] = ej_opt_out(s0, mult[o], shift[o], zp, lo, hi);
    if (ob != o) out[ob] = ej_opt_out(s1, mult[ob], shift[ob], zp, lo, hi);
  }
#else
  /* Four rows at a time (four accumulators) share each input load. */
  int32_t o = 0;
  for (; o + 4 <= n; o += 4) {
    const int8_t* w0 = weights + o * k;
    const int8_t* w1 = w0 + k;
    const int8_t* w2 = w1 + k;
    const int8_t* w3 = w2 + k;
    int32_t s0 = bias[o], s1 = bias[o + 1], s2 = bias[o + 2], s3 = bias[o + 3];
    for (int32_t j = 0; j < k; ++j) {
      const int32_t x = in[j];
      s0 += w0[j] * x, s1 += w1[j] * x, s2 += w2[j] * x, s3 += w3[j] * x;
    }
    out[o] = ej_opt_out(s0, mult[o], shift[o], zp, lo, hi);
    out[o + 1] = ej_opt_out(s1, mult[o + 1], shift[o + 1], zp, lo, hi);
    out[o + 2] = ej_opt_out(s2, mult[o + 2], shift[o + 2], zp, lo, hi);
    out[o + 3] = ej_opt_out(s3, mult[o + 3], shift[o + 3], zp, lo, hi);
  }
  for (; o < n; ++o) {
    const int8_t* w0 = weights + o * k;
    int32_t s0 = bias[o];
    for (int32_t j = 0; j < k; ++j) s0 += w0[j] * in[j];
    out[o] = ej_opt_out(s0, mult[o], shift[o], zp, lo, hi);
  }
#endif
}

int32_t ej_run_layer_opt(const ej_layer_t* d) {
  switch (ej_opt_path(d)) {
    case EJ_PATH_IM2COL:
      ej_opt_conv(d);
      return 1;
    case EJ_PATH_DEPTHWISE3X3:
      ej_opt_depthwise3x3(d);
      return 1;
    case EJ_PATH_FC:
      ej_opt_fc(d);
      return 1;
    default:
      return 0;
  }
}
