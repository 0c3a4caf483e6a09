/* Internal: every CSV read goes through libcsv, with file:line:col tracking. */
#ifndef IMS_CSVREAD_H
#define IMS_CSVREAD_H

#include "immunosim/err.h"

#include <stddef.h>

#define IMS__CSV_MAX_FIELDS 64

typedef struct ims__csv_row {
  const char *name; /* file name for messages */
  long line;        /* 1-based line of the row's first field */
  int nf;
  char *f[IMS__CSV_MAX_FIELDS]; /* trimmed fields, never NULL */
  int col[IMS__CSV_MAX_FIELDS]; /* 1-based character column of each field */
} ims__csv_row_t;

/* Called for each non-blank, non-comment row (lines starting with '#' are
 * comments).  Return IMS_OK to continue. */
typedef int (*ims__csv_row_fn)(const ims__csv_row_t *row, void *ud, ims_err_t *err);

int ims__csv_read_file(const char *path, ims__csv_row_fn fn, void *ud, ims_err_t *err);
int ims__csv_read_mem(const char *name, const char *buf, size_t len, ims__csv_row_fn fn, void *ud,
                      ims_err_t *err);

/* Strict number: the whole field is a finite decimal.  Returns 0 on success. */
int ims__parse_double(const char *s, double *out);
int ims__parse_long(const char *s, long *out);

/* FNV-1a 64-bit of a buffer, as 16 hex digits. */
void ims__fnv1a64_hex(const char *buf, size_t len, char out[17]);
/* Read a whole file into memory (NUL-terminated). */
int ims__slurp(const char *path, char **buf, size_t *len, ims_err_t *err);

/* Header mapping: index of each wanted column, -1 if absent. */
typedef struct ims__csv_cols {
  const char *const *names; /* known column names */
  int n;
  int idx[IMS__CSV_MAX_FIELDS]; /* per known name: field index or -1 */
} ims__csv_cols_t;

/* Map a header row; unknown or duplicate columns are errors, and so are
 * missing columns among the first `nrequired` names. */
int ims__csv_header(ims__csv_cols_t *c, const ims__csv_row_t *row, int nrequired, ims_err_t *err);
/* The field for known column k, or NULL when the column is absent or the row is short. */
const char *ims__csv_field(const ims__csv_cols_t *c, const ims__csv_row_t *row, int k, int *col);

#endif
