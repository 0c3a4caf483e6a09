/* Figures of the dynamics commands (see dynfig.h). */
#include "dynfig.h"

#include "immunosim/table.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "LO:HI" with either end empty (NaN). */
static int range(const char *opt, const char *s, double *lo, double *hi, ims_err_t *err)
{
  const char *c = strchr(s, ':');
  char a[64], b[64];
  if (!c)
    return ims_err_set(err, IMS_EINPUT, "%s %s: expected LO:HI, e.g. 0.01:0.1 or 1e5:", opt, s);
  snprintf(a, sizeof a, "%.*s", (int)(c - s), s);
  snprintf(b, sizeof b, "%s", c + 1);
  *lo = *hi = NAN;
  if ((a[0] && ims_table_double(a, lo)) || (b[0] && ims_table_double(b, hi)))
    return ims_err_set(err, IMS_EINPUT, "%s %s: LO and HI must be numbers", opt, s);
  if (!isnan(*lo) && !isnan(*hi) && !(*hi > *lo))
    return ims_err_set(err, IMS_EINPUT, "%s %s: HI must be above LO", opt, s);
  return IMS_OK;
}

int dyn_figopts(const cli_args_t *a, int ranges, dyn_figopts_t *fo, ims_err_t *err)
{
  memset(fo, 0, sizeof *fo);
  ims_dynplot_opts_init(&fo->o);
  fo->o.ny = cli_list(a, OPT_Y, fo->y, CLI_MAX_REPEAT);
  fo->o.y = fo->y;
  fo->o.title = cli_str(a, OPT_TITLE, NULL);
  fo->style = cli_str(a, OPT_STYLE, NULL);
  for (int i = 0; i < a->nv; i++) { /* the last of --logy/--liny (--logx/--linx) wins */
    int id = a->v[i].id;
    if (id == OPT_LOGY || id == OPT_LINY)
      fo->o.yscale = id == OPT_LOGY ? IMS_SCALE_LOG : IMS_SCALE_LIN;
    if (id == OPT_LOGX || id == OPT_LINX)
      fo->o.xscale = id == OPT_LOGX ? IMS_SCALE_LOG : IMS_SCALE_LIN;
  }
  const char *xr = cli_str(a, OPT_XRANGE, NULL), *yr = cli_str(a, OPT_YRANGE, NULL);
  int rc = IMS_OK;
  if (ranges && xr)
    rc = range("--xrange", xr, &fo->o.xlo, &fo->o.xhi, err);
  if (!rc && ranges && yr)
    rc = range("--yrange", yr, &fo->o.ylo, &fo->o.yhi, err);
  return rc;
}

static int load(ims_outset_t *g, const char *path, ims_table_t **t, ims_err_t *err)
{
  *t = NULL;
  return path ? cli_plot_load(t, g, path, IMS_TABLE_TEXT | IMS_TABLE_AUTODELIM, err) : IMS_OK;
}

int dyn_plot_bifurcation(ims_outset_t *g, const char *table, const char *fig,
                         const dyn_figopts_t *fo, const ims_model_t *m, ims_err_t *err)
{
  ims_table_t *t = NULL;
  ims_fig_t *f = NULL;
  ims_dynplot_opts_t o = fo->o;
  o.model = m;
  int rc = load(g, table, &t, err);
  rc = rc ? rc : ims_fig_alloc(&f, err);
  rc = rc ? rc : ims_plot_bifurcation(f, t, &o, err);
  rc = rc ? rc : cli_plot_render(f, fig, fo->style, g, err);
  ims_fig_free(f);
  ims_table_free(t);
  return rc;
}

int dyn_plot_portrait(ims_outset_t *g, const char *nc, const char *field, const char *eq,
                      const char *curves, const char *fig, const dyn_figopts_t *fo,
                      const ims_model_t *m, ims_err_t *err)
{
  ims_table_t *t[4] = {NULL};
  const char *path[4] = {nc, field, eq, curves};
  ims_fig_t *f = NULL;
  ims_dynplot_opts_t o = fo->o;
  o.model = m;
  int rc = IMS_OK;
  for (int i = 0; !rc && i < 4; i++)
    rc = load(g, path[i], &t[i], err);
  rc = rc ? rc : ims_fig_alloc(&f, err);
  rc = rc ? rc : ims_plot_portrait(f, t[0], t[1], t[2], t[3], &o, err);
  rc = rc ? rc : cli_plot_render(f, fig, fo->style, g, err);
  ims_fig_free(f);
  for (int i = 0; i < 4; i++)
    ims_table_free(t[i]);
  return rc;
}

/* The options of `plot` that only time courses take. */
static int timecourse_only(const cli_args_t *a, const char *what, ims_err_t *err)
{
  static const int ids[] = {OPT_OVERLAY, OPT_WEEKS,  OPT_X,        OPT_HLINE,   OPT_POINTS,
                            OPT_YLABEL,  OPT_LABELS, OPT_NO_DOSES, OPT_SCHEDULE};
  for (size_t k = 0; k < sizeof ids / sizeof *ids; k++)
    if (cli_count(a, ids[k])) {
      const cli_opt_t *o = cli_opt_for("plot", ids[k]);
      char name[64];
      cli_opt_display(o, name, sizeof name);
      return ims_err_set(err, IMS_EINPUT, "%s: not for %s; it shapes time courses", name, what);
    }
  return IMS_OK;
}

int dyn_plot_files(cli_ctx_t *x, const char *fig, int *rc)
{
  const cli_args_t *a = &x->a;
  ims_table_t *t[8] = {NULL};
  int n = a->npos, kind[8] = {0};
  if (n < 1)
    return 0;
  /* the first file decides; a file that is not a table is plot's to report */
  ims_err_t e2 = {0};
  if (cli_plot_load(&t[0], x->g, a->pos[0], IMS_TABLE_TEXT | IMS_TABLE_AUTODELIM, &e2) ||
      !(kind[0] = ims_dyntab_kind(t[0]))) {
    ims_table_free(t[0]);
    return 0;
  }
  const char *what = kind[0] == IMS_DYNTAB_CONTINUATION ? "a bifurcation diagram (a continue table)"
                                                        : "a phase portrait";
  *rc = timecourse_only(a, what, &x->err);
  if (!*rc && kind[0] == IMS_DYNTAB_CONTINUATION && n > 1)
    *rc = ims_err_set(&x->err, IMS_EINPUT,
                      "%s: a bifurcation diagram is drawn from one continue table; give it alone",
                      a->pos[1]);
  if (!*rc && n > 4)
    *rc = ims_err_set(&x->err, IMS_EINPUT,
                      "plot: a phase portrait takes at most 4 tables (nullclines, field, "
                      "equilibria, curves)");
  const char *path[5] = {NULL}; /* by kind */
  for (int i = 0; !*rc && i < n; i++) {
    if (i && !(*rc = cli_plot_load(&t[i], x->g, a->pos[i], IMS_TABLE_TEXT | IMS_TABLE_AUTODELIM,
                                   &x->err)))
      kind[i] = ims_dyntab_kind(t[i]);
    if (*rc)
      break;
    if (kind[i] == IMS_DYNTAB_NONE || kind[i] == IMS_DYNTAB_CONTINUATION) {
      if (i)
        *rc = ims_err_set(&x->err, IMS_EINPUT,
                          "%s: not a table of 'immunosim equilibria --plane' (nullclines, field, "
                          "equilibria, curves); a phase portrait is drawn from those",
                          a->pos[i]);
    } else if (path[kind[i] - 1]) {
      *rc = ims_err_set(&x->err, IMS_EINPUT, "%s: a second %s table (the first: %s)", a->pos[i],
                        kind[i] == IMS_DYNTAB_NULLCLINES ? "nullclines"
                        : kind[i] == IMS_DYNTAB_FIELD    ? "field"
                        : kind[i] == IMS_DYNTAB_CURVES   ? "curves"
                                                         : "equilibria",
                        path[kind[i] - 1]);
    } else {
      path[kind[i] - 1] = a->pos[i];
    }
  }
  dyn_figopts_t fo;
  const ims_model_t *m = NULL;
  *rc = *rc ? *rc : dyn_figopts(a, 1, &fo, &x->err);
  *rc = *rc ? *rc : cli_plot_table_model(t[0], &m, &x->err);
  if (!*rc && kind[0] != IMS_DYNTAB_CONTINUATION && fo.o.ny)
    *rc = ims_err_set(&x->err, IMS_EINPUT, "--y: a phase portrait's axes are its plane's states");
  if (!*rc && kind[0] == IMS_DYNTAB_CONTINUATION)
    *rc = dyn_plot_bifurcation(x->g, a->pos[0], fig, &fo, m, &x->err);
  else if (!*rc)
    *rc = dyn_plot_portrait(x->g, path[IMS_DYNTAB_NULLCLINES - 1], path[IMS_DYNTAB_FIELD - 1],
                            path[IMS_DYNTAB_EQUILIBRIA - 1], path[IMS_DYNTAB_CURVES - 1], fig, &fo,
                            m, &x->err);
  cli_model_close(m);
  for (int i = 0; i < 8; i++)
    ims_table_free(t[i]);
  return 1;
}
