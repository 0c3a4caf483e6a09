/* immunosim sensitivity: local forward sensitivities (ims_localsens_*). */
#include "cli.h"
#include "plot.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The column ranked in the table: --of, else the first output, else the first state. */
static int of_column(const ims_run_t *r, const char *of, int *c, ims_err_t *err)
{
  const ims_model_t *m = r->m;
  *c = of ? ims_run_column(r, of) : m->noutputs ? m->nstates : 0;
  if (*c >= 0)
    return IMS_OK;
  return ims_err_set(err, IMS_EINPUT,
                     "--of: no column '%s' in model %s; columns are its states and outputs "
                     "('immunosim info %s --columns')",
                     of, m->name, m->name);
}

/* The ranked table behind the figure (FIG.csv, an output of the group),
 * then the figure drawn from it. */
static int write_plot(const ims_localsens_t *ls, const ims_run_t *r, int c, ims_output_t *o,
                      const char *fig, ims_outset_t *g, ims_err_t *err)
{
  char pb[160], n1[IMS_NUMBUF], n2[IMS_NUMBUF], n3[IMS_NUMBUF];
  int order[IMS_LS_MAX] = {0};
  ims_localsens_rank(ls, c, order);
  ims_output_comment(o, "model: %s", r->m->name);
  ims_output_comment(o, "normalised sensitivities (p/y) dy/dp of %s, ranked by the peak's",
                     r->colnames[1 + c]);
  ims_output_line(o, "rank,parameter,S_peak,S_auc,S_final");
  for (int a = 0; a < ims_localsens_npar(ls); a++) {
    int j = order[a];
    ims_output_line(o, "%d,%s,%s,%s,%s", a + 1,
                    ims_run_value_name(r, ims_localsens_par(ls, j), pb, sizeof pb),
                    ims_fmt_num(n1, ims_localsens_norm(ls, IMS_LS_PEAK, c, j)),
                    ims_fmt_num(n2, ims_localsens_norm(ls, IMS_LS_AUC, c, j)),
                    ims_fmt_num(n3, ims_localsens_norm(ls, IMS_LS_FINAL, c, j)));
  }
  if (ims_output_failed(o))
    return ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(o));
  return cli_plot_sensitivity(g, ims_output_name(o), r->colnames[1 + c], r->m, fig, err);
}

int cmd_sensitivity(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (cli_begin(&x, "sensitivity", argc, argv, &code))
    return code;
  const cli_args_t *a = &x.a;
  ims_localsens_t *ls = NULL;
  ims_output_t *tc = NULL, *mo = NULL, *ro = NULL;
  char ranked[PATH_MAX];
  const char *out = cli_str(a, OPT_OUT, NULL), *plot = cli_str(a, OPT_PLOT, NULL);
  const char *mout = cli_str(a, OPT_METRICS_OUT, NULL);
  int col = 0, meta = x.ra.format & IMS_OUT_NO_META;
  int rc = plot ? cli_figure_open(x.g, "--plot", plot, &x.err) : IMS_OK;
  if (!rc && plot) { /* the figure's data: FIG.csv */
    cli_sibling(ranked, sizeof ranked, plot, ".csv");
    rc = ims_outset_open(x.g, &ro, ranked, IMS_FMT_CSV | meta, &x.err);
  }
  rc = rc ? rc : cli_load_run(&x);
  rc = rc ? rc : of_column(x.r, cli_str(a, OPT_OF, NULL), &col, &x.err);
  if (!rc) {
    ims_localsens_spec_t spec = {
        .pars = cli_str(a, OPT_PAR, NULL), .raw = cli_flag(a, OPT_RAW), .progress = cli_progress};
    rc = ims_localsens_alloc(&ls, x.r, &spec, &x.err);
  }
  if (!rc && out)
    rc = ims_outset_open(x.g, &tc, out, IMS_FMT_CSV | meta, &x.err);
  if (!rc && mout)
    rc = ims_outset_open(x.g, &mo, mout, IMS_FMT_CSV | meta, &x.err);
  if (!rc) {
    cli_progress_start("t", x.r->m->time_unit, x.r->opts.t0, out && !strcmp(out, "-"));
    rc = ims_localsens_run(ls, tc, &x.err);
    cli_progress_done();
  }
  if (!rc && mo && ims_localsens_write(ls, mo))
    rc = ims_err_set(&x.err, IMS_EIO, "%s: cannot write", mout);
  if (!rc && plot)
    rc = write_plot(ls, x.r, col, ro, plot, x.g, &x.err);
  rc = cli_commit(&x, rc);
  if (!rc)
    ims_localsens_print(stdout, ls, col);
  ims_localsens_free(ls);
  return cli_end(&x, rc);
}
