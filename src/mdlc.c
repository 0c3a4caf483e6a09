/* `immunosim translate`: a compiled model as C source in the model.h
 * contract.  Each program's instructions become one statement each, in the
 * same order and with the same operations, so the C model computes the same
 * doubles as the evaluator (with floating-point contraction off, as in C11
 * mode). */
#include "mdlcomp.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A C string literal of s. */
static void str(FILE *fp, const char *s)
{
  if (!s) {
    fputs("NULL", fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(fp, "\\%c", c);
    else if (c < 32 || c > 126)
      fprintf(fp, "\\%03o", c);
    else
      fputc(c, fp);
  }
  fputc('"', fp);
}

static void num(FILE *fp, double v)
{
  if (isnan(v))
    fputs("NAN", fp);
  else if (isinf(v))
    fputs(v > 0 ? "INFINITY" : "(-INFINITY)", fp);
  else {
    char b[40];
    snprintf(b, sizeof b, "%.17g", v);
    if (!strpbrk(b, ".eEn"))
      strcat(b, ".0");
    fprintf(fp, v < 0 ? "(%s)" : "%s", b);
  }
}

typedef struct cgen {
  FILE *fp;
  const ims__mprog_t *P;
  const ims__prog_t *prog;
} cgen_t;

/* The C operand for register r of the current program. */
static void operand(const cgen_t *g, int r)
{
  const ims__layout_t *L = &g->P->L;
  if (r == 0)
    fputs("t", g->fp);
  else if (r <= L->n)
    fprintf(g->fp, "y[%d]", r - 1);
  else if (r <= L->n + L->np)
    fprintf(g->fp, "p[%d]", r - 1 - L->n);
  else if (r < g->prog->base)
    num(g->fp, L->consts[r - 1 - L->n - L->np - L->nside]);
  else
    fprintf(g->fp, "r%d", r - g->prog->base);
}

/* A relation held at its switch's side (ctx->swside) when the driver gives one. */
static void held(const cgen_t *g, const ims__ins_t *in)
{
  static const char *const rel[] = {"<", "<=", ">", ">=", "==", "!="};
  const ims__layout_t *L = &g->P->L;
  int op = in->op & ~IMS__D_HELD, k = in->c - 1 - L->n - L->np;
  FILE *fp = g->fp;
  fprintf(fp, "ctx->swside && ctx->swside[%d] != 0 ? ", k);
  if (op == IMS__D_EQ || op == IMS__D_NE)
    fputs(op == IMS__D_EQ ? "0.0" : "1.0", fp);
  else
    fprintf(fp, "(double)(ctx->swside[%d] %s 0)", k, op <= IMS__D_LE ? "<" : ">");
  fputs(" : (double)(", fp);
  operand(g, in->a);
  fprintf(fp, " %s ", rel[op - IMS__D_LT]);
  operand(g, in->b);
  fputs(")", fp);
}

static void ins(const cgen_t *g, const ims__ins_t *in, int k)
{
  FILE *fp = g->fp;
  fprintf(fp, "  const double r%d = ", k);
  if (in->op & IMS__D_HELD) {
    held(g, in);
    fputs(";\n", fp);
    return;
  }
  const char *infix = NULL;
  switch (in->op) {
  case IMS__D_ADD:
    infix = " + ";
    break;
  case IMS__D_SUB:
    infix = " - ";
    break;
  case IMS__D_MUL:
    infix = " * ";
    break;
  case IMS__D_DIV:
    infix = " / ";
    break;
  default:
    break;
  }
  if (infix) {
    operand(g, in->a);
    fputs(infix, fp);
    operand(g, in->b);
  } else if (in->op == IMS__D_NDOSE) {
    fprintf(fp, "ctx->ndose ? (double)ctx->ndose[%d] : 0.0", in->a);
  } else if (in->op == IMS__D_NEG) {
    fputs("-", fp);
    operand(g, in->a);
  } else if (in->op == IMS__D_SEL) {
    operand(g, in->a);
    fputs(" != 0 ? ", fp);
    operand(g, in->b);
    fputs(" : ", fp);
    operand(g, in->c);
  } else if (ims__dop_is_rel(in->op) || in->op == IMS__D_MIN || in->op == IMS__D_MAX) {
    static const char *const rel[] = {"<", "<=", ">", ">=", "==", "!="};
    int mm = in->op == IMS__D_MIN || in->op == IMS__D_MAX;
    fputs(mm ? "" : "(double)(", fp);
    operand(g, in->a);
    fprintf(fp, " %s ", mm ? (in->op == IMS__D_MIN ? "<=" : ">=") : rel[in->op - IMS__D_LT]);
    operand(g, in->b);
    if (mm) {
      fputs(" ? ", fp);
      operand(g, in->a);
      fputs(" : ", fp);
      operand(g, in->b);
    } else
      fputs(")", fp);
  } else if (in->op == IMS__D_AND || in->op == IMS__D_OR || in->op == IMS__D_XOR) {
    fputs("(double)((", fp);
    operand(g, in->a);
    fprintf(fp, " != 0) %s (", in->op == IMS__D_AND ? "&&" : in->op == IMS__D_OR ? "||" : "!=");
    operand(g, in->b);
    fputs(" != 0))", fp);
  } else if (in->op == IMS__D_NOT) {
    fputs("(double)(", fp);
    operand(g, in->a);
    fputs(" == 0)", fp);
  } else if (in->op == IMS__D_SIGN) {
    fputs("(double)((", fp);
    operand(g, in->a);
    fputs(" > 0) - (", fp);
    operand(g, in->a);
    fputs(" < 0))", fp);
  } else if (in->op == IMS__D_FACT) {
    fputs("tgamma(", fp);
    operand(g, in->a);
    fputs(" + 1)", fp);
  } else if (in->op == IMS__D_QUOT) {
    fputs("trunc(", fp);
    operand(g, in->a);
    fputs(" / ", fp);
    operand(g, in->b);
    fputs(")", fp);
  } else { /* a libm function of one or two arguments */
    fprintf(fp, "%s(", ims__dop_name(in->op));
    operand(g, in->a);
    if (ims__dop_arity(in->op) == 2) {
      fputs(", ", fp);
      operand(g, in->b);
    }
    fputs(")", fp);
  }
  fputs(";\n", fp);
}

static void body(FILE *fp, const ims__mprog_t *P, const ims__prog_t *prog, const char *dst)
{
  cgen_t g = {fp, P, prog};
  fputs("  const double *p = ctx->p;\n  (void)t;\n  (void)y;\n  (void)p;\n", fp);
  if (prog->zero_fill)
    fprintf(fp, "  for (int i = 0; i < %d; i++)\n    %s[i] = 0;\n", prog->ndst, dst);
  for (int k = 0; k < prog->nins; k++)
    ins(&g, &prog->ins[k], k);
  for (int i = 0; i < prog->nout; i++) {
    fprintf(fp, "  %s[%d] = ", dst, prog->out_idx[i]);
    operand(&g, prog->out_reg[i]);
    fputs(";\n", fp);
  }
}

static void vars(FILE *fp, const char *name, const ims_var_t *v, int n)
{
  fprintf(fp, "static const ims_var_t %s[] = {\n", name);
  for (int i = 0; i < n; i++) {
    fputs("    {", fp);
    str(fp, v[i].name);
    fputs(", ", fp);
    str(fp, v[i].unit);
    fputs(", ", fp);
    str(fp, v[i].desc);
    fputs("},\n", fp);
  }
  if (!n)
    fputs("    {NULL, NULL, NULL},\n", fp);
  fputs("};\n\n", fp);
}

int ims_mdl_write_c(const ims_model_t *m, FILE *fp, ims_err_t *err)
{
  const ims_mdl_t *d = ims_mdl_of(m);
  if (!d)
    return ims_err_set(err, IMS_EINPUT, "model %s is built in already (no description)", m->name);
  const ims__mprog_t *P = m->impl;
  char id[256];
  size_t k = 0;
  for (const char *s = m->name; *s && k + 1 < sizeof id; s++)
    id[k++] = isalnum((unsigned char)*s) ? *s : '_';
  id[k] = '\0';
  fprintf(fp, "/* %s: generated by immunosim translate from %s (fnv1a64 %s).\n", m->name,
          m->source ? m->source : "a model description", m->source_hash ? m->source_hash : "-");
  fputs(" * The same operations, in the same order, as the model file's compiled\n"
        " * program; register it in models/registry.c to make it a built-in. */\n",
        fp);
  fputs("#include \"immunosim/model.h\"\n\n#include <math.h>\n#include <stddef.h>\n\n", fp);
  vars(fp, "states", m->states, m->nstates);
  vars(fp, "outputs", m->outputs, m->noutputs);
  fputs("static const ims_par_t params[] = {\n", fp);
  for (int i = 0; i < m->nparams; i++) {
    const ims_par_t *q = &m->params[i];
    fputs("    {", fp);
    str(fp, q->name);
    fputs(", ", fp);
    str(fp, q->unit);
    fputs(", ", fp);
    str(fp, q->desc);
    fputs(", ", fp);
    num(fp, q->def);
    fprintf(fp, ", %s%s%s},\n", (q->flags & IMS_PAR_OPTIONAL) ? "IMS_PAR_OPTIONAL" : "",
            (q->flags & IMS_PAR_OPTIONAL) && (q->flags & IMS_PAR_SIGNED) ? " | " : "",
            (q->flags & IMS_PAR_SIGNED) ? "IMS_PAR_SIGNED" : (q->flags ? "" : "0"));
  }
  if (!m->nparams)
    fputs("    {NULL, NULL, NULL, 0, 0},\n", fp);
  fputs("};\n\nstatic const double y0_def[] = {", fp);
  for (int i = 0; i < m->nstates; i++) {
    fputs(i ? ", " : "", fp);
    num(fp, m->y0_def ? m->y0_def[i] : 0);
  }
  fputs("};\n\n", fp);
  if (m->nlabels) {
    fputs("static const ims_label_t labels[] = {\n", fp);
    for (int i = 0; i < m->nlabels; i++) {
      fputs("    {", fp);
      str(fp, m->labels[i].name);
      fputs(", ", fp);
      str(fp, m->labels[i].label);
      fputs("},\n", fp);
    }
    fputs("};\n\n", fp);
  }
  if (m->nplot) {
    static const char *const scale[] = {"IMS_SCALE_AUTO", "IMS_SCALE_LIN", "IMS_SCALE_LOG"};
    fputs("static const ims_plotcol_t plot[] = {\n", fp);
    for (int i = 0; i < m->nplot; i++) {
      int sc = m->plot[i].scale;
      fputs("    {", fp);
      str(fp, m->plot[i].name);
      fprintf(fp, ", %s},\n", sc >= 0 && sc <= 2 ? scale[sc] : scale[0]);
    }
    fputs("};\n\n", fp);
  }
  fputs("static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)\n{\n", fp);
  body(fp, P, &P->rhs, "dy");
  fprintf(fp, "  for (int i = 0; i < %d; i++)\n    if (!isfinite(dy[i]))\n      return 1;\n",
          m->nstates);
  fputs("  return 0;\n}\n\n", fp);
  if (m->jac) {
    fputs("static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)\n{\n", fp);
    body(fp, P, &P->jac, "J");
    fputs("  return 0;\n}\n\n", fp);
  }
  if (m->output) {
    fputs("static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)\n{\n",
          fp);
    body(fp, P, &P->out, "out");
    fputs("}\n\n", fp);
  }
  if (m->switches) {
    fputs("static int switches(double t, const double *y, double *g, const ims_ctx_t *ctx)\n{\n",
          fp);
    body(fp, P, &P->sw, "g");
    fputs("  return 0;\n}\n\n", fp);
  }
  if (m->init_ctx) {
    fputs("static void init_ctx(double *y0, const ims_ctx_t *ctx)\n{\n  const double t = 0;\n"
          "  double y[",
          fp);
    fprintf(fp, "%d];\n  for (int i = 0; i < %d; i++)\n    y[i] = y0[i];\n", m->nstates,
            m->nstates);
    body(fp, P, &P->init, "y0");
    fputs("}\n\n", fp);
  }
  fprintf(fp, "const ims_model_t ims_model_%s = {\n    .name = ", id);
  str(fp, m->name);
  fputs(",\n    .title = ", fp);
  str(fp, m->title);
  fputs(",\n    .family = ", fp);
  str(fp, m->family);
  fputs(",\n    .citation = ", fp);
  str(fp, m->citation);
  fputs(",\n    .notes = ", fp);
  str(fp, m->notes);
  fputs(",\n    .time_unit = ", fp);
  str(fp, m->time_unit);
  fprintf(fp,
          ",\n    .states = states,\n    .nstates = %d,\n    .params = params,\n"
          "    .nparams = %d,\n    .outputs = outputs,\n    .noutputs = %d,\n"
          "    .rhs = rhs,\n",
          m->nstates, m->nparams, m->noutputs);
  if (m->jac)
    fputs("    .jac = jac,\n", fp);
  if (m->output)
    fputs("    .output = output,\n", fp);
  fputs("    .y0_def = y0_def,\n", fp);
  if (m->switches)
    fprintf(fp, "    .nswitch = %d,\n    .switches = switches,\n", m->nswitch);
  if (m->init_ctx)
    fputs("    .init_ctx = init_ctx,\n", fp);
  if (m->nlabels)
    fprintf(fp, "    .labels = labels,\n    .nlabels = %d,\n", m->nlabels);
  if (m->nplot)
    fprintf(fp, "    .plot = plot,\n    .nplot = %d,\n", m->nplot);
  fputs("};\n", fp);
  if (ferror(fp))
    return ims_err_set(err, IMS_EIO, "cannot write the C source");
  return IMS_OK;
}
