/* Model-file reader internals shared by src/modelfile*.c: the reader's state,
 * its logical lines with file positions and its messages (modelfile_lex.c),
 * the declarations (modelfile_decl.c), and the steps that attach what waits
 * until everything is declared (modelfile_attach.c); ims_model_read_mem and
 * ims_model_open are in modelfile.c. */
#ifndef IMS_MODELFILE_H
#define IMS_MODELFILE_H

#include "immunosim/mdl.h"

#include <stddef.h>

/* A logical line: the text after joining continuation lines, with the file
 * position of each character. */
typedef struct lline {
  char *s;
  int *line, *col;
  size_t n, cap;
} lline_t;

typedef struct reader {
  const char *path;
  ims_mdl_t *d;
  ims_err_t *err;
  lline_t L;
  int seen_line[8]; /* name title cite time family ... first line of each */
  /* d/dt equations, attached once every state is declared */
  struct pend {
    char *state;
    ims_mdl_eq_t eq;
    int line, col;
    int init; /* STATE(0) = EXPR rather than d/dt(STATE) = EXPR */
  } * pend;
  int npend, cappend;
  /* label lines, attached once everything is declared */
  struct plabel {
    char *name, *text;
    int line, col;
  } * plab;
  int nplab, capplab;
  /* the plot line's columns, attached once everything is declared */
  struct pplot {
    char *name;
    int scale;
    int line, col;
  } * pplot;
  int npplot;
  int plot_line; /* where the plot line is (0: none yet) */
} reader_t;

/* ---- modelfile_lex.c: positions, messages, lexing, logical lines ---------- */

/* "path:line:col: message" in r->err; returns IMS_EINPUT. */
int ims__mf_fail(reader_t *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same at offset i of the logical line. */
int ims__mf_failat(reader_t *r, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ims__mf_at_line(const reader_t *r, size_t i);
int ims__mf_at_col(const reader_t *r, size_t i);
size_t ims__mf_skip_ws(const char *s, size_t i);
size_t ims__mf_ident_end(const char *s, size_t i);
char *ims__mf_dupn(const char *s, size_t n);
int ims__mf_check_name(reader_t *r, size_t b, size_t e, const char *what);
int ims__mf_parse_expr(reader_t *r, size_t i, const char *in, ims_mdl_eq_t *eq);
int ims__mf_unit_desc(reader_t *r, size_t *i, char **unit, char **desc, int need_unit,
                      const char *what);
/* Split buf into logical lines and hand each to ims__mf_one_line. */
int ims__mf_read_lines(reader_t *r, const char *buf, size_t len);

/* ---- modelfile_decl.c: one logical line ----------------------------------- */

int ims__mf_one_line(reader_t *r);

/* ---- modelfile_attach.c: once everything is declared ---------------------- */

int ims__mf_attach_rates(reader_t *r);
int ims__mf_attach_labels(reader_t *r);
int ims__mf_attach_plot(reader_t *r);

#endif
