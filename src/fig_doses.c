/* The dose strip of a time course: one row per drug (state dosed), or one
 * row per run of a drug when the runs dose it differently; each drug its own
 * symbol and colour, infusion bars as high as their rate. */
#include "figplot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Bolus symbols per drug: filled triangle, circle, square, diamond, down triangle, pentagon. */
static const int symbol[] = {9, 7, 5, 13, 11, 15};

static int drug_index(tc_t *c, const char *cmt)
{
  for (int k = 0; k < c->ndrug; k++)
    if (strcmp(c->drug[k], cmt) == 0)
      return k;
  if (c->ndrug == 16)
    return -1;
  snprintf(c->drug[c->ndrug], sizeof c->drug[0], "%s", cmt);
  return c->ndrug++;
}

/* A drug's name on its row: its code, or its label when the code is a
 * generated id (sbml, issue 12). */
static const char *drug_name(const tc_t *c, int k)
{
  const char *label = ims_fig_label_of(c->m, c->drug[k]);
  return label && strlen(c->drug[k]) > IMS_FIG_CODE_MAX ? label : c->drug[k];
}

/* Whether two runs draw the same row for a drug. */
static int same_doses(const ims_table_t *a, const ims_table_t *b, const char *cmt)
{
  int i = 0, j = 0;
  for (;;) {
    while (i < a->ndose && strcmp(a->dose[i].cmt, cmt))
      i++;
    while (j < b->ndose && strcmp(b->dose[j].cmt, cmt))
      j++;
    if (i == a->ndose || j == b->ndose)
      return i == a->ndose && j == b->ndose;
    const ims_table_dose_t *x = &a->dose[i++], *y = &b->dose[j++];
    /* bolus symbols do not show the amount: the same times draw the same row */
    if (x->t0 != y->t0 || x->infusion != y->infusion ||
        !(x->t1 == y->t1 || (isinf(x->t1) && isinf(y->t1))) ||
        (x->infusion && !(x->amount == y->amount || (isnan(x->amount) && isnan(y->amount)))))
      return 0;
  }
}

static int has_drug(const ims_table_t *t, const char *cmt)
{
  for (int i = 0; i < t->ndose; i++)
    if (strcmp(t->dose[i].cmt, cmt) == 0)
      return 1;
  return 0;
}

static void fill_row(tc_t *c, ims_fig_dose_row_t *r, const ims_table_t *t, int k, double maxrate)
{
  for (int i = 0; r && i < t->ndose; i++) {
    const ims_table_dose_t *d = &t->dose[i];
    if (strcmp(d->cmt, c->drug[k]) != 0)
      continue;
    ims_fig_dose_t fd = {.t0 = d->t0, .t1 = d->t1, .infusion = d->infusion, .level = 1};
    if (d->infusion && isfinite(d->amount) && maxrate > 0)
      fd.level = fmax(0.2, d->amount / maxrate); /* a low rate stays visible */
    if (d->infusion)
      c->drug_inf[k] = 1;
    else {
      c->drug_bolus[k] = 1;
      c->first_bolus = fmin(c->first_bolus, d->t0);
    }
    ims_fig_dose_add(c->f, r, &fd);
  }
}

int ims__plot_doses(tc_t *c)
{
  for (int i = 0; i < c->nt; i++)
    for (int j = 0; j < c->t[i]->ndose; j++)
      drug_index(c, c->t[i]->dose[j].cmt);
  int overlay = c->o->overlay && c->ncol > 1;
  for (int k = 0; k < c->ndrug; k++) {
    double maxrate = 0;
    int nwith = 0, first = -1, same = 1;
    for (int i = 0; i < c->nt; i++) {
      const ims_table_t *t = c->t[i];
      for (int j = 0; j < t->ndose; j++)
        if (t->dose[j].infusion && !strcmp(t->dose[j].cmt, c->drug[k]) &&
            isfinite(t->dose[j].amount))
          maxrate = fmax(maxrate, fabs(t->dose[j].amount));
      if (!has_drug(t, c->drug[k]))
        continue;
      nwith++;
      if (first < 0)
        first = i;
      else
        same &= same_doses(c->t[first], t, c->drug[k]);
    }
    int pt = symbol[k % 6], drug_color = IMS_FIG_DOSE(k + 1);
    char name[256];
    if (same) { /* one row in the drug's colour, as in the legend */
      int col = drug_color;
      snprintf(name, sizeof name, "%s%s%s", drug_name(c, k), nwith == 1 && c->nt > 1 ? " of " : "",
               nwith == 1 && c->nt > 1 ? c->label[first] : "");
      fill_row(c, ims_fig_dose_row_add(c->f, name, col, pt), c->t[first], k, maxrate);
      continue;
    }
    for (int i = 0; i < c->nt; i++)
      if (has_drug(c->t[i], c->drug[k])) {
        snprintf(name, sizeof name, "%s of %s", drug_name(c, k), c->label[i]);
        fill_row(c, ims_fig_dose_row_add(c->f, name, overlay ? drug_color : i + 1, pt), c->t[i], k,
                 maxrate);
      }
  }
  return ims_fig_ok(c->f, c->err);
}

void ims__plot_dose_keys(tc_t *c)
{
  if (!c->f->nrow)
    return;
  for (int k = 0; k < c->ndrug; k++) {
    /* the state's name always (panels show names, not codes, so "into L" alone
     * would not say which panel receives the dose); a generated id: the label alone */
    const char *label = ims_fig_label_of(c->m, c->drug[k]), *code = drug_name(c, k);
    if (code == label)
      label = NULL;
    for (int kind = 0; kind < 2; kind++) {
      if (!(kind ? c->drug_inf[k] : c->drug_bolus[k]))
        continue;
      char text[256];
      snprintf(text, sizeof text, "%s into %s%s%s%s", kind ? "infusion" : "bolus", code,
               label ? " (" : "", label ? label : "", label ? ")" : "");
      ims_fig_key_t *e = ims_fig_key_add(c->f, kind ? IMS_FIG_KEY_BOX : IMS_FIG_KEY_POINTS, text);
      if (e) {
        e->color = IMS_FIG_DOSE(k + 1);
        e->point = symbol[k % 6];
        e->size = -1;
      }
    }
  }
}
