/* Drawing a figure: its script beside the figure, then gnuplot.  With an
 * output group the script and the figure are outputs of the group: gnuplot
 * reads the group's tables and writes the figure through their temporary
 * files (the script's file variables, set with -e), and the group renames
 * everything into place together, or nothing. */
#include "fig.h"
#include "immunosim/figure.h"
#include "tmpl.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void ims__fig_script_path(char *out, size_t n, const char *figure)
{
  const char *dot = strrchr(figure, '.'), *slash = strrchr(figure, '/');
  int l = dot && (!slash || dot > slash) ? (int)(dot - figure) : (int)strlen(figure);
  snprintf(out, n, "%.*s.gp", l, figure);
}

static const char *gnuplot_of(const ims_fig_out_t *o)
{
  return o->gnuplot && *o->gnuplot ? o->gnuplot : "gnuplot";
}

/* An executable file: the path itself when it has a '/', else found on PATH
 * (as posix_spawnp will look for it). */
static int executable(const char *prog)
{
  struct stat st;
  if (strchr(prog, '/'))
    return stat(prog, &st) == 0 && S_ISREG(st.st_mode) && access(prog, X_OK) == 0;
  const char *path = getenv("PATH");
  if (!path || !*path)
    path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    size_t l = strcspn(path, ":");
    char cand[PATH_MAX];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)l, l ? path : ".", prog);
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
      return 1;
    path += l + (path[l] == ':');
  }
  return 0;
}

static int not_found(const ims_fig_out_t *o, ims_err_t *err)
{
  return ims_err_set(
      err, IMS_EIO, "gnuplot not found ('%s'); install it (apt-get install gnuplot-nox) to draw %s",
      gnuplot_of(o), o->figure);
}

int ims_fig_prepare(const ims_fig_out_t *o, ims_err_t *err)
{
  if (!ims_fig_terminal(o->figure))
    return ims_err_set(err, IMS_EINPUT,
                       "figure '%s': the extension chooses the format; use .png, .svg or .pdf",
                       o->figure ? o->figure : "");
  if (!executable(gnuplot_of(o)))
    return not_found(o, err);
  if (!o->group)
    return IMS_OK;
  char sp[PATH_MAX];
  ims__fig_script_path(sp, sizeof sp, o->figure);
  ims_output_t *x; /* the group refuses a name it already has */
  int rc = ims_outset_open(o->group, &x, sp, 0, err);
  return rc ? rc : ims_outset_reserve(o->group, &x, o->figure, err);
}

/* gnuplot [-e ASSIGN] SCRIPT, which must write fig; named: the script as the user knows it. */
static int run_gnuplot(const ims_fig_out_t *o, const char *assign, const char *script,
                       const char *fig, const char *named, ims_err_t *err)
{
  const char *gp = gnuplot_of(o);
  char *argv[] = {(char *)gp, (char *)"-e", (char *)assign, (char *)script, NULL};
  if (!assign || !*assign) {
    argv[1] = (char *)script;
    argv[2] = NULL;
  }
  pid_t pid;
  int rc = posix_spawnp(&pid, gp, NULL, NULL, argv, environ);
  if (rc == ENOENT || rc == EACCES)
    return not_found(o, err);
  if (rc)
    return ims_err_set(err, IMS_EIO, "cannot start %s: %s", gp, strerror(rc));
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return ims_err_set(err, IMS_EIO, "waiting for %s: %s", gp, strerror(errno));
  if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
    return not_found(o, err);
  if (!WIFEXITED(st) || WEXITSTATUS(st))
    return ims_err_set(err, IMS_EIO, "gnuplot failed on %s (see its messages above)", named);
  struct stat sb;
  if (stat(fig, &sb) || sb.st_size == 0)
    return ims_err_set(err, IMS_EIO, "gnuplot wrote no figure %s from %s", o->figure, named);
  return IMS_OK;
}

/* var='path' for gnuplot -e (single quotes: no escapes but a doubled quote). */
static void assign(ims__buf_t *b, const char *var, const char *path)
{
  ims__buf_printf(b, "%s%s='", b->n ? "; " : "", var);
  for (const char *p = path; *p; p++) {
    if (*p == '\'')
      ims__buf_puts(b, "''");
    else
      ims__buf_putn(b, p, 1);
  }
  ims__buf_puts(b, "'");
}

/* Into the group: the script in FIG.gp's output, gnuplot told where the
 * figure and the group's tables are until the group is committed. */
static int render_in_group(const ims_fig_t *f, const ims_fig_out_t *o, const char *script,
                           const char *sp, ims_err_t *err)
{
  ims_output_t *so = ims_outset_find(o->group, sp), *fo = ims_outset_find(o->group, o->figure);
  if (!so && !fo) { /* not prepared before the work: now */
    int rc = ims_fig_prepare(o, err);
    if (rc)
      return rc;
    so = ims_outset_find(o->group, sp);
    fo = ims_outset_find(o->group, o->figure);
  } else if (!so || !fo) {
    return ims_err_set(err, IMS_EINPUT, "%s: named for two outputs; give each its own file",
                       so ? o->figure : sp);
  }
  size_t l = strlen(script);
  while (l && script[l - 1] == '\n')
    l--;
  ims_output_line(so, "%.*s", (int)l, script);
  const char *snow = ims_output_current(so), *fnow = ims_output_current(fo);
  if (ims_output_failed(so) || !snow || !fnow)
    return ims_err_set(err, IMS_EIO, "%s: cannot write the figure's script", sp);
  ims__buf_t b = {0};
  if (strcmp(fnow, o->figure))
    assign(&b, "out_file", fnow);
  const char **data = NULL;
  int nd = 0;
  if (ims__fig_data(f, &data, &nd)) {
    ims__buf_free(&b);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  for (int i = 0; i < nd; i++) {
    const char *now = ims_output_current(ims_outset_find(o->group, data[i]));
    if (now && strcmp(now, data[i])) {
      char var[32];
      snprintf(var, sizeof var, "data%d", i + 1);
      assign(&b, var, now);
    }
  }
  free(data);
  int rc = b.oom ? ims_err_set(err, IMS_ENOMEM, "out of memory")
                 : run_gnuplot(o, ims__buf_str(&b), snow, fnow, sp, err);
  ims__buf_free(&b);
  return rc;
}

int ims_fig_render(const ims_fig_t *f, const ims_fig_out_t *o, ims_err_t *err)
{
  char *script = NULL;
  int rc = ims_fig_script(f, o, &script, err);
  if (rc)
    return rc;
  char sp[PATH_MAX];
  ims__fig_script_path(sp, sizeof sp, o->figure);
  if (o->group) {
    rc = render_in_group(f, o, script, sp, err);
    free(script);
    return rc;
  }
  FILE *fp = fopen(sp, "w");
  if (!fp)
    rc = ims_err_set(err, IMS_EIO, "cannot write %s: %s", sp, strerror(errno));
  else {
    fputs(script, fp);
    if (fclose(fp))
      rc = ims_err_set(err, IMS_EIO, "cannot write %s: %s", sp, strerror(errno));
  }
  free(script);
  return rc ? rc : run_gnuplot(o, NULL, sp, o->figure, sp, err);
}
