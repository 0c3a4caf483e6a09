/* Ranges, scales and ticks.  The writer sets every tick itself (never
 * gnuplot's autotics), so it knows the widest tick label and can leave room
 * for it and for the axis label beside it. */
#include "fig.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void ims_fig_range_value(ims_fig_range_t *r, double v)
{
  if (!isfinite(v))
    return;
  r->n++;
  r->min = v < r->min ? v : r->min;
  r->max = v > r->max ? v : r->max;
  if (v > 0 && v < r->minpos)
    r->minpos = v;
}

void ims_fig_range_merge(ims_fig_range_t *r, const ims_fig_range_t *add)
{
  if (!add->n)
    return;
  r->n += add->n;
  r->min = fmin(r->min, add->min);
  r->max = fmax(r->max, add->max);
  r->minpos = fmin(r->minpos, add->minpos);
}

void ims_fig_range_column(ims_fig_range_t *r, const ims_table_t *t, const char *col)
{
  int c = ims_table_column(t, col);
  if (c < 0)
    return;
  ims_table_range_t tr;
  ims_table_range(t, c, &tr);
  ims_fig_range_t add = {tr.n, tr.min, tr.max, tr.minpos};
  ims_fig_range_merge(r, &add);
}

int ims_fig_scale_wanted(const ims_fig_range_t *r, int opt)
{
  if (opt == IMS_SCALE_LIN || opt == IMS_SCALE_LOG)
    return opt;
  return r->n && r->min >= 0 && isfinite(r->minpos) && r->max / r->minpos > 1e3 ? IMS_SCALE_LOG
                                                                                : IMS_SCALE_LIN;
}

void ims_fig_axis_fit(ims_fig_axis_t *a, const ims_fig_range_t *r, int scale, double loglo,
                      double pad_lo, double pad_hi)
{
  int logax = scale == IMS_SCALE_LOG;
  a->scale = logax ? IMS_SCALE_LOG : IMS_SCALE_LIN;
  double lo, hi;
  if (!r->n || (logax && !(r->max > 0))) {
    a->lo = logax ? 1 : 0;
    a->hi = logax ? 10 : 1;
    return;
  }
  if (logax) {
    if (!(loglo > 0))
      loglo = fmax(isfinite(r->minpos) ? r->minpos : r->max * 1e-6, r->max * 1e-6);
    hi = log10(r->max);
    lo = log10(fmin(loglo, r->max));
  } else {
    lo = r->min;
    hi = r->max;
    if (lo < 0 && -lo <= 1e-6 * hi) /* solver noise below zero is zero on the axis */
      lo = 0;
    if (lo >= 0 && lo <= 0.25 * hi) { /* amounts, cells, concentrations: from zero, no pad */
      lo = 0;
      pad_lo = 0;
    }
  }
  double span = hi - lo;
  if (!(span > 0)) {
    span = logax ? 1 : (hi != 0 ? fabs(hi) : 1);
    pad_lo = pad_hi = 0.5 * (pad_lo + pad_hi) + 0.1;
    if (!logax && lo == 0) /* a column at zero throughout */
      pad_lo = 0;
  }
  double full = span / (1 - pad_lo - pad_hi);
  int from_zero = !logax && lo == 0 && pad_lo == 0;
  lo -= pad_lo * full;
  hi += pad_hi * full;
  if (from_zero) /* a hair below zero: a curve at zero (or at -1e-12) is not clipped */
    lo = -0.004 * (hi - lo);
  a->lo = logax ? pow(10, lo) : lo;
  a->hi = logax ? pow(10, hi) : hi;
}

/* ---- ticks ------------------------------------------------------------------- */

static const char times[] = "\xc3\x97"; /* U+00D7 multiplication sign */

/* "2.5×10^{6}" for m x 10^e (m printed with the decimals it needs). */
static void sci(char *out, size_t n, double m, int e, int decimals)
{
  if (m == 1 && decimals == 0)
    snprintf(out, n, "10^{%d}", e);
  else
    snprintf(out, n, "%.*f%s10^{%d}", decimals, m, times, e);
}

/* Decimals needed to print multiples of step exactly (2.5 needs one more). */
static int decimals_of(double step)
{
  int d = 0;
  double s = step;
  while (d < 12 && fabs(s - round(s)) > 1e-9 * fmax(1, fabs(s))) {
    s *= 10;
    d++;
  }
  return d;
}

static int linear_ticks(const ims_fig_axis_t *a, ims__tick_t *t, int max)
{
  double lo = fmin(a->lo, a->hi), hi = fmax(a->lo, a->hi), span = hi - lo;
  if (!(span > 0) || !isfinite(span))
    return 0;
  static const double mult[] = {1, 2, 2.5, 5};
  double step = 0;
  for (double e = pow(10, floor(log10(span)) - 2); !step && e < span * 100; e *= 10)
    for (int k = 0; k < 4 && !step; k++)
      if (span / (mult[k] * e) <= 7.5)
        step = mult[k] * e;
  if (!(step > 0))
    return 0;
  double first = ceil(lo / step - 1e-9) * step;
  int n = 0;
  double big = fmax(fabs(lo), fabs(hi));
  /* plain numbers from 1e-3 to 1e5, else mantissa x 10^e with one exponent for the axis */
  int plain = big < 1e5 && step >= 1e-3;
  int e = plain ? 0 : (int)floor(log10(big));
  int dec = decimals_of(plain ? step : step / pow(10, e));
  for (double v = first; v <= hi + 1e-9 * step && n < max; v += step) {
    double x = fabs(v) < 1e-9 * step ? 0 : v;
    t[n].at = x;
    t[n].minor = 0;
    if (x == 0)
      snprintf(t[n].label, sizeof t[n].label, "0");
    else if (plain)
      snprintf(t[n].label, sizeof t[n].label, "%.*f", dec, x);
    else
      sci(t[n].label, sizeof t[n].label, x / pow(10, e), e, dec);
    n++;
  }
  return n;
}

static int log_ticks(const ims_fig_axis_t *a, ims__tick_t *t, int max)
{
  double lo = fmin(a->lo, a->hi), hi = fmax(a->lo, a->hi);
  if (!(lo > 0) || !(hi > lo))
    return 0;
  int n = 0;
  int k0 = (int)floor(log10(lo) + 1e-9), k1 = (int)floor(log10(hi) + 1e-9);
  double eps = 1e-9;
  int ndec = 0; /* powers of ten inside the range */
  for (int k = k0; k <= k1; k++)
    ndec += pow(10, k) >= lo * (1 - eps) && pow(10, k) <= hi * (1 + eps);
  if (hi / lo < 100 || ndec < 3) { /* under two decades: 1, 2, 5 x 10^k (every multiple when that
                                    * leaves fewer than 3), plain where short */
    int plain = lo >= 0.01 && hi <= 1e4, nlab = 0;
    for (int k = k0; k <= k1; k++)
      for (int m = 1; m <= 9; m++) {
        double v = m * pow(10, k);
        nlab += (m == 1 || m == 2 || m == 5) && v >= lo * (1 - eps) && v <= hi * (1 + eps);
      }
    for (int k = k0; k <= k1 && n < max; k++)
      for (int m = 1; m <= 9 && n < max; m++) {
        double v = m * pow(10, k);
        if (v < lo * (1 - eps) || v > hi * (1 + eps))
          continue;
        t[n].at = v;
        t[n].minor = nlab >= 3 && !(m == 1 || m == 2 || m == 5);
        t[n].label[0] = '\0';
        if (!t[n].minor) {
          if (plain)
            snprintf(t[n].label, sizeof t[n].label, "%.*f", k < 0 ? -k : 0, v);
          else
            sci(t[n].label, sizeof t[n].label, m, k, 0);
        }
        n++;
      }
    int labelled = 0;
    for (int i = 0; i < n; i++)
      labelled += !t[i].minor;
    /* a range too narrow for two whole multiples (1.05e13 to 2.9e13): linear ticks */
    return labelled >= 2 ? n : linear_ticks(a, t, max);
  }
  int every = (k1 - k0) <= 8 ? 1 : (k1 - k0) <= 16 ? 2 : (k1 - k0 + 7) / 8;
  for (int k = k0; k <= k1 && n < max; k++) {
    double v = pow(10, k);
    if (v >= lo * (1 - eps) && v <= hi * (1 + eps)) { /* skipped decades: unlabelled ticks */
      t[n].at = v;
      t[n].minor = (k % every) != 0;
      t[n].label[0] = '\0';
      if (!t[n].minor)
        sci(t[n].label, sizeof t[n].label, 1, k, 0);
      n++;
    }
    for (int m = 2; every == 1 && m <= 9 && n < max; m++) { /* minor ticks, unlabelled */
      double w = m * v;
      if (w >= lo && w <= hi) {
        t[n].at = w;
        t[n].minor = 1;
        t[n].label[0] = '\0';
        n++;
      }
    }
  }
  return n;
}

int ims__fig_ticks(const ims_fig_axis_t *a, ims__tick_t *t, int max)
{
  if (a->ntick) {
    int n = 0;
    for (int i = 0; i < a->ntick && n < max; i++, n++) {
      t[n].at = a->tick[i].at;
      t[n].minor = 0;
      snprintf(t[n].label, sizeof t[n].label, "%s", a->tick[i].label);
    }
    return n;
  }
  if (isnan(a->lo) || isnan(a->hi))
    return 0;
  return a->scale == IMS_SCALE_LOG ? log_ticks(a, t, max) : linear_ticks(a, t, max);
}

/* Advance widths of DejaVu Sans (gnuplot's default "Sans" on Debian), in
 * thousandths of an em, for printable ASCII from the space on. */
static const short ascii_width[95] = {
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361,  318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,  611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352,  635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,  525, 636, 337, 636, 838};

/* Widths in the template's character width char_w (0.8 pt per point of font
 * size, 0.6 em of the cairo terminals' font at 96 dpi); enhanced-mode
 * superscripts print at 0.8 size; other characters count as an average letter. */
double ims__fig_text_width(const char *s)
{
  double w = 0;
  int sup = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '^' && p[1] == '{') {
      sup = 1;
      p++;
      continue;
    }
    if (sup && *p == '}') {
      sup = 0;
      continue;
    }
    if ((*p & 0xC0) == 0x80) /* UTF-8 continuation byte */
      continue;
    double c = *p >= 32 && *p < 127         ? ascii_width[*p - 32] / 1000.0
               : *p == 0xC3 && p[1] == 0x97 ? 0.838 /* × */
                                            : 0.6;
    w += sup ? 0.8 * c : c;
  }
  return w / 0.6;
}
