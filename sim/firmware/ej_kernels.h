/* int8 inference kernels of edgejoule, shared by the cross-compiled firmware and the host.
 * The host writes one ej_layer_t per layer into the target's RAM and calls
 * ej_run_layer() on it; every address is a 32-bit target address, so the struct has the
 * same layout on the 64-bit host and on the 32-bit targets. See README.md. */
#ifndef EJ_FIRMWARE_KERNELS_H
#define EJ_FIRMWARE_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Operators (ej_layer_t.op). Activations are int8, NCHW with N = 1, per-tensor
 * (scale, zero point); weights int8 symmetric per output channel; biases int32. */
enum {
  EJ_OP_CONV = 1,      /* grouped 2-D convolution (groups = in_c: depthwise) */
  EJ_OP_FC = 2,        /* fully connected, dense weights [out_c][in_c] */
  EJ_OP_FC_SPARSE = 3, /* fully connected, CSR weights: row_ptr, uint16 col, int8 value */
  EJ_OP_ADD = 4,       /* element-wise sum of two tensors of the same shape */
  EJ_OP_CLAMP = 5,     /* Relu / Clip on an unchanged scale: max(min(x, act_max), act_min) */
  EJ_OP_MAXPOOL = 6,
  EJ_OP_AVGPOOL = 7,     /* padding excluded from the count */
  EJ_OP_SOFTMAX = 8,     /* over the channels; exp from a 256-entry Q16 table */
  EJ_OP_CONV_SPARSE = 9, /* grouped 2-D convolution, per output channel a list of non-zero
                           taps: row_ptr, uint16 input offset, int8 value (+ taps) */
  EJ_OP_ADD_BCAST = 10   /* element-wise sum, in1 of shape (in1_c, in1_h, in1_w) broadcast
                            over the output's (numpy rules: each dimension 1 or equal) */
};

/* One layer. Unused fields are zero. Requantisation of an int32 accumulator A to the
 * output scale is requant(A, m, s) = (A * m + 2^(30 - s)) >> (31 - s) in 64-bit
 * arithmetic, with m a Q31 multiplier in [2^30, 2^31) and s <= 30. */
typedef struct {
  uint32_t op;
  uint32_t in0, in1, out;    /* activation addresses (RAM) */
  uint32_t weights, bias;    /* int8 weights / softmax Q16 table; int32 biases (flash);
                                for FC ops and EJ_OP_CONV_SPARSE the bias already holds
                                bias - in_zp * sum(w) */
  uint32_t mult, shift;      /* int32 per-output-channel multipliers and shifts (flash) */
  uint32_t row_ptr, col_idx; /* EJ_OP_FC_SPARSE: uint32 [out_c + 1], uint16 column [nnz];
                                EJ_OP_CONV_SPARSE: uint32 [out_c + 1], uint16 [nnz] offset
                                of the tap in its input group, ci*in_h*in_w + ky*in_w + kx */
  uint32_t taps;             /* EJ_OP_CONV_SPARSE when padding clips a window: uint16 [nnz]
                                (ky << 8 | kx); else 0 */
  int32_t in_c, in_h, in_w;
  int32_t out_c, out_h, out_w;
  int32_t k_h, k_w, stride_h, stride_w, pad_t, pad_l, groups;
  int32_t in_zp, in1_zp, out_zp, act_min, act_max;
  int32_t in_mult, in_shift, in1_mult, in1_shift, out_mult, out_shift, left_shift;
  int32_t in1_c, in1_h, in1_w; /* EJ_OP_ADD_BCAST: the second input's shape */
} ej_layer_t;

/* Runs one layer. Returns 0, or -1 for an unknown op. */
int32_t ej_run_layer(const ej_layer_t* layer);

/* The optimized library (ej_kernels_opt.c, in the *_optimized images only): which of its
 * kernels runs a layer. EJ_PATH_REFERENCE: none, the reference kernel of ej_kernels.c runs.
 * The host uses the same function to store the weights the way that kernel reads them
 * (sim/nn/kernel_library.h) and to count its loops (analytic backend). */
enum {
  EJ_PATH_REFERENCE = 0,
  EJ_PATH_IM2COL = 1,       /* conv, groups >= 1, not depthwise: im2col + 2x2 block */
  EJ_PATH_DEPTHWISE3X3 = 2, /* depthwise 3x3, one output channel per input channel */
  EJ_PATH_FC = 3            /* dense fully connected */
};
/* Longest int16 column (in_c / groups * k_h * k_w, or an FC's in_c) the optimized kernels
 * keep on their stack; longer layers run the reference kernel. */
#define EJ_OPT_COLUMN_MAX 1024

static inline int32_t ej_opt_path(const ej_layer_t* d) {
  if (d->op == EJ_OP_CONV) {
    const int32_t depthwise = d->groups == d->in_c && d->out_c == d->in_c;
    if (depthwise) return d->k_h == 3 && d->k_w == 3 ? EJ_PATH_DEPTHWISE3X3 : EJ_PATH_REFERENCE;
    return d->in_c / d->groups * d->k_h * d->k_w <= EJ_OPT_COLUMN_MAX ? EJ_PATH_IM2COL
                                                                      : EJ_PATH_REFERENCE;
  }
  if (d->op == EJ_OP_FC) return d->in_c <= EJ_OPT_COLUMN_MAX ? EJ_PATH_FC : EJ_PATH_REFERENCE;
  return EJ_PATH_REFERENCE;
}

/* Runs LAYER with an optimized kernel and returns 1, or returns 0 (EJ_PATH_REFERENCE). */
int32_t ej_run_layer_opt(const ej_layer_t* layer);

#ifdef __cplusplus
}
#endif

#endif /* EJ_FIRMWARE_KERNELS_H */
