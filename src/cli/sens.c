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

/* FIG.csv (ranked data) and FIG.gp from plots/sensitivity.gp.in, then gnuplot. */
static int write_plot(const ims_localsens_t *ls, const ims_run_t *r, int c, const char *fig,
                      ims_err_t *err)
{
  char data[PATH_MAX], pb[160];
  cli_sibling(data, sizeof data, fig, ".csv");
  FILE *fp = fopen(data, "w");
  if (!fp)
    return ims_err_set(err, IMS_EIO, "cannot write %s", data);
  int order[IMS_LS_MAX] = {0};
  ims_localsens_rank(ls, c, order);
  for (int a = 0; a < ims_localsens_npar(ls); a++) {
    int j = order[a];
    fprintf(fp, "%d,%s,%.6g,%.6g,%.6g\n", a + 1,
            ims_run_value_name(r, ims_localsens_par(ls, j), pb, sizeof pb),
            ims_localsens_norm(ls, IMS_LS_PEAK, c, j), ims_localsens_norm(ls, IMS_LS_AUC, c, j),
            ims_localsens_norm(ls, IMS_LS_FINAL, c, j));
  }
  if (fclose(fp) != 0)
    return ims_err_set(err, IMS_EIO, "cannot write %s", data);
  char title[400];
  snprintf(title, sizeof title, "%s: what drives %s", r->m->name, r->colnames[1 + c]);
  const char *kv[] = {"DATA", data, "COLUMN", r->colnames[1 + c], NULL};
  return cli_plot_template("sensitivity.gp.in", fig, title, kv, err);
}

int cmd_sensitivity(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (cli_begin(&x, "sensitivity", argc, argv, &code))
    return code;
  const cli_args_t *a = &x.a;
  ims_localsens_t *ls = NULL;
  ims_output_t *tc = NULL, *mo = NULL;
  const char *out = cli_str(a, OPT_OUT, NULL), *plot = cli_str(a, OPT_PLOT, NULL);
  const char *mout = cli_str(a, OPT_METRICS_OUT, NULL);
  int col = 0, meta = x.ra.format & IMS_OUT_NO_META;
  int rc = plot ? cli_check_figure("--plot", plot, &x.err) : IMS_OK;
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
  rc = cli_commit(&x, rc);
  if (!rc)
    ims_localsens_print(stdout, ls, col);
  if (!rc && plot)
    rc = write_plot(ls, x.r, col, plot, &x.err);
  ims_localsens_free(ls);
  return cli_end(&x, rc);
}
