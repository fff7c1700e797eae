/*
 * The spectral family (spectrum, bandPower, spectralFeatures, melSpectrogram, mfcc): frames of
 * `size` samples every `hop` samples per channel (frame k covers the key's samples
 * [k·hop, k·hop + size)), windowed, through the real FFT (fft.h) to |X_k|², which each stage's
 * `reduce` turns into its outputs for the frame. The C counterpart of
 * core/dsp/stages/families/spectral/spectral.kernel.ts: the same frames, the same operations, the
 * same snapshot bytes.
 *
 * State bytes: u32 channels · u32 size · f64 total (samples per channel seen) · per channel the
 * f32 samples of the frame in progress (total − K·hop of them when positive, K = frames emitted) ·
 * once a frame has been emitted, per channel `carry` f64 (what a stage keeps from the last frame:
 * spectralFeatures' |X| for the flux).
 */
#ifndef DSPFN_SPECTRAL_H
#define DSPFN_SPECTRAL_H

#include "common/stage.h"
#include "families/spectral/fft.h"

enum { DSPFN_WINDOW_HANN = 0, DSPFN_WINDOW_HAMMING = 1, DSPFN_WINDOW_BLACKMAN = 2, DSPFN_WINDOW_RECTANGULAR = 3 };

#define DSPFN_SPECTRAL_MAX_CHANNELS 1024u
#define DSPFN_SPECTRAL_MAX_HOP 16777216.0

typedef struct dspfn_spectral dspfn_spectral;

/* Writes one channel's outputs for the frame from power[0 … size/2]; carry (the channel's `carry`
 * doubles, NULL when none) holds what the previous frame left and `first` says there was none. */
typedef void (*dspfn_spectral_reduce)(const dspfn_spectral *S, const double *power, float *out, double *carry, int first);

struct dspfn_spectral {
  uint32_t channels, size, hop;
  uint32_t per_channel; /* outputs per channel and frame */
  uint32_t carry;       /* doubles per channel kept from frame to frame */
  double total;         /* samples per channel seen */
  const char *name;
  dspfn_spectral_reduce reduce;
  const void *stage;    /* the stage's own tables (after this struct) */
  float *frame;         /* channels × size: the frame in progress, per channel, oldest first */
  double *window;       /* size */
  double *power;        /* size/2 + 1 */
  double *carries;      /* channels × carry */
  dspfn_fft fft;
};

/* Validates size (a power of two, 16 … 65,536), hop (1 … 2^24), window (an index) and the channel count. */
int dspfn_spectral_check(const char *name, double size, double hop, double window, uint32_t channels, dspfn_msg *why);
/* Bytes of the block for these shapes plus `stage_bytes` of stage tables. */
size_t dspfn_spectral_bytes(uint32_t channels, uint32_t size, uint32_t carry, size_t stage_bytes);
/* Lays out the block; returns where the stage's tables go (stage_bytes, 64-byte aligned). */
void *dspfn_spectral_init(void *mem, const char *name, uint32_t channels, uint32_t size, uint32_t hop, int window,
                          uint32_t per_channel, uint32_t carry, dspfn_spectral_reduce reduce, size_t stage_bytes);

/* The ops every spectral stage shares. */
size_t dspfn_spectral_max_output_frames(const void *state, size_t in_frames);
int dspfn_spectral_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_spectral_snapshot_bytes(const void *state);
int dspfn_spectral_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_spectral_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* k·sampleRate/size: bin k's frequency, as every stage computes it. */
static inline double dspfn_bin_hz(uint32_t k, double sample_rate, uint32_t size) { return ((double)k * sample_rate) / (double)size; }

#endif
