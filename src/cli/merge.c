/* immunosim merge SHARD... -o OUT: shards of one population run into the
 * unsharded run's file (ims_merge_*). */
#include "cli.h"

#include <stdio.h>

int cmd_merge(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (cli_begin(&x, "merge", argc, argv, &code))
    return code;
  ims_merge_t *m = NULL;
  ims_output_t *o = NULL;
  int rc = ims_merge_alloc(&m, x.a.pos, x.a.npos, &x.err);
  rc = rc ? rc : ims_outset_open(x.g, &o, cli_str(&x.a, OPT_OUT, "-"), ims_merge_format(m), &x.err);
  rc = rc ? rc : ims_merge_write(m, o, &x.err);
  rc = cli_commit(&x, rc);
  if (!rc) {
    ims_merge_summary_t s;
    ims_merge_summary(m, &s);
    char bands[160] = "";
    if (s.bands && s.exact)
      snprintf(bands, sizeof bands, "; bands exact, %.1f MB", s.mb);
    else if (s.bands)
      snprintf(bands, sizeof bands,
               "; bands histogram, %.1f MB (at most %.1f MB whatever N), accuracy %.2f %%", s.mb,
               s.bound_mb, 100.0 / (1 << (IMS_BANDS_MANTISSA_BITS - s.level)));
    fprintf(stderr,
            "merge: %d shard%s of %s, %llu subjects (0:%llu), %llu ok, %llu failed (excluded)%s\n",
            s.nshards, s.nshards == 1 ? "" : "s", s.bands ? "bands" : "per-subject rows",
            (unsigned long long)s.n, (unsigned long long)s.n, (unsigned long long)s.ok,
            (unsigned long long)s.failed, bands);
    if (s.bands && cli_flag(&x.a, OPT_STATS))
      fprintf(stderr,
              "steps %ld, rhs evals %ld, jac evals %ld, restarts %ld (summed over subjects)\n",
              s.stats.steps, s.stats.rhs_evals, s.stats.jac_evals, s.stats.restarts);
  }
  ims_merge_free(m);
  return cli_end(&x, rc);
}
