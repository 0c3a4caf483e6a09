#include "immunosim/data.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Case-insensitive Levenshtein distance, bounded to short names. */
static int edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63)
    return 99;
  int d[64][64];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int c = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + c;
      d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
    }
  return d[la][lb];
}

const char *ims_suggest(const char *name, const char *const *cands, int n)
{
  for (int i = 0; i < n; i++)
    if (strcasecmp(cands[i], name) == 0)
      return cands[i];
  const char *best = NULL;
  int bd = 3;
  for (int i = 0; i < n; i++) {
    int d = edit_distance(cands[i], name);
    if (d < bd) {
      bd = d;
      best = cands[i];
    }
  }
  size_t l = strlen(name);
  for (int i = 0; !best && l >= 3 && i < n; i++)
    if (strncasecmp(cands[i], name, l) == 0) {
      for (int j = i + 1; j < n; j++)
        if (strncasecmp(cands[j], name, l) == 0)
          return NULL; /* ambiguous */
      best = cands[i];
    }
  return best;
}

static const char *kind_dir(int kind)
{
  return kind == IMS_DATA_SCHEDULES ? "schedules" : kind == IMS_DATA_RULES ? "rules" : NULL;
}

static void dir_of(char *out, size_t n, const char *datadir, int kind, const ims_model_t *m)
{
  const char *d = kind_dir(kind);
  snprintf(out, n, "%s/params/%s", datadir, d ? d : m ? m->name : "");
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int ims_data_list(const char *datadir, int kind, const ims_model_t *m, char ***names, int *n,
                  ims_err_t *err)
{
  *names = NULL;
  *n = 0;
  if (!datadir || (kind == IMS_DATA_SETS && !m))
    return IMS_OK;
  char dir[4096];
  dir_of(dir, sizeof dir, datadir, kind, m);
  DIR *d = opendir(dir);
  if (!d)
    return IMS_OK;
  int cap = 0, rc = IMS_OK;
  for (struct dirent *e = readdir(d); e; e = readdir(d)) {
    size_t l = strlen(e->d_name);
    if (l <= 4 || strcmp(e->d_name + l - 4, ".csv") != 0 || e->d_name[0] == '.')
      continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 32;
      char **nn = realloc(*names, (size_t)cap * sizeof *nn);
      if (!nn) {
        rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
        break;
      }
      *names = nn;
    }
    char *s = strndup(e->d_name, l - 4);
    if (!s) {
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
      break;
    }
    (*names)[(*n)++] = s;
  }
  closedir(d);
  if (rc) {
    ims_data_list_free(*names, *n);
    *names = NULL;
    *n = 0;
    return rc;
  }
  if (*n)
    qsort(*names, (size_t)*n, sizeof **names, by_name);
  return IMS_OK;
}

void ims_data_list_free(char **names, int n)
{
  for (int i = 0; names && i < n; i++)
    free(names[i]);
  free(names);
}

static int exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

int ims_data_resolve(const char *datadir, int kind, const ims_model_t *m, const char *opt,
                     const char *arg, char *out, size_t n, ims_err_t *err)
{
  if (!arg || !*arg)
    return ims_err_set(err, IMS_EINPUT, "%s: empty name; give a file or a shipped name", opt);
  if (exists(arg) || strchr(arg, '/')) {
    if (!exists(arg))
      return ims_err_set(err, IMS_EINPUT, "%s %s: no such file", opt, arg);
    snprintf(out, n, "%s", arg);
    return IMS_OK;
  }
  size_t l = strlen(arg);
  int has_ext = l > 4 && strcmp(arg + l - 4, ".csv") == 0;
  char dir[4096], cand[8192];
  if (datadir && (kind != IMS_DATA_SETS || m)) {
    dir_of(dir, sizeof dir, datadir, kind, m);
    snprintf(cand, sizeof cand, "%s/%s%s", dir, arg, has_ext ? "" : ".csv");
    if (exists(cand)) {
      snprintf(out, n, "%s", cand);
      return IMS_OK;
    }
  }
  const char *what = kind == IMS_DATA_SCHEDULES ? "schedule"
                     : kind == IMS_DATA_RULES   ? "rules file"
                                                : "parameter set";
  char **names = NULL;
  int nn = 0;
  ims_data_list(datadir, kind, m, &names, &nn, NULL);
  char stem[256];
  snprintf(stem, sizeof stem, "%.*s", (int)(has_ext ? l - 4 : l), arg);
  char hint[1024] = "";
  const char *s = ims_suggest(stem, (const char *const *)names, nn);
  if (s)
    snprintf(hint, sizeof hint, "; did you mean '%s'?", s);
  else {
    int k = 0; /* several names begin with it: list them */
    size_t hl = 0;
    for (int i = 0; i < nn && hl < sizeof hint - 80; i++)
      if (strncasecmp(names[i], stem, strlen(stem)) == 0)
        hl += (size_t)snprintf(hint + hl, sizeof hint - hl, "%s'%s'",
                               k++ ? " or " : "; did you mean ", names[i]);
    if (k)
      snprintf(hint + hl, sizeof hint - hl, "?");
  }
  char more[700] = "";
  if (kind == IMS_DATA_SETS && m)
    snprintf(more, sizeof more, " for %s", m->name);
  /* a model file or SBML import is opened by its path, not its name */
  const char *show = m && m->source ? m->source : m ? m->name : "";
  if (!hint[0] && kind == IMS_DATA_SETS && m)
    snprintf(hint, sizeof hint, "; 'immunosim info %s' lists them", show);
  else if (!hint[0] && kind == IMS_DATA_SCHEDULES && m)
    snprintf(hint, sizeof hint, "; 'immunosim info %s' lists the schedules that dose it", show);
  else if (!hint[0] && nn)
    snprintf(hint, sizeof hint, "; shipped: %s%s", names[0], nn > 1 ? ", ..." : "");
  int rc = ims_err_set(err, IMS_EINPUT, "%s %s: no such file, and no shipped %s of that name%s%s",
                       opt, arg, what, more, hint);
  ims_data_list_free(names, nn);
  return rc;
}
