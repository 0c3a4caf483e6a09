/* One reader for every table immunosim reads: parameter sets, schedules,
 * rules, output times, covariance blocks, and the outputs read back by
 * `plot` and `merge`.  libcsv does the splitting (quoted fields, embedded
 * delimiters and newlines, doubled quotes), so every reader agrees on what a
 * field is; errors name file:line:col.
 *
 * Two levels:
 *   - ims_table_read_*: rows handed to a callback as trimmed text fields with
 *     their line and column, for readers that check each field themselves
 *     (parameters, schedules, rules);
 *   - ims_table_load_*: a whole run output in memory: column names, numeric
 *     values, the '# units:' line as per-column units, the '# dose:' lines as
 *     doses, and every other '# key: value' line as metadata.
 *
 * Lines whose first non-blank character is '#' are comments (metadata);
 * blank lines are skipped.  A '#' inside a quoted field spanning lines is
 * data, not a comment.
 */
#ifndef IMMUNOSIM_TABLE_H
#define IMMUNOSIM_TABLE_H

#include "immunosim/err.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most fields a row may have when read with ims_table_read_*: callers index
 * fixed arrays by field.  Whole-table loads take up to IMS_TABLE_MAX_COLUMNS. */
#define IMS_TABLE_MAX_FIELDS 64
#define IMS_TABLE_MAX_COLUMNS 100000

/* One row as the reader hands it over. */
typedef struct ims_table_row {
  const char *name; /* file name for messages */
  long line;        /* 1-based line of the row's first field */
  int nf;
  char **f; /* nf trimmed fields, never NULL ("" for an empty field) */
  int *col; /* 1-based character column of each field */
} ims_table_row_t;

/* Called for each data row; return IMS_OK to go on, or an error status
 * (with err filled) to stop the read with that status. */
typedef int (*ims_table_row_fn)(const ims_table_row_t *row, void *ud, ims_err_t *err);
/* Called for each comment line with its text after the '#', trimmed. */
typedef int (*ims_table_comment_fn)(const char *text, long line, void *ud, ims_err_t *err);

/* Flags of ims_table_opts_t and ims_table_load_*. */
#define IMS_TABLE_AUTODELIM 1u /* tab-separated when the first row has a tab and no comma */
#define IMS_TABLE_TEXT 2u      /* ims_table_load_*: keep every cell's text too */

typedef struct ims_table_opts {
  ims_table_row_fn row;         /* required */
  ims_table_comment_fn comment; /* optional */
  void *ud;
  unsigned flags;
  char delim;     /* 0: ',' (or detected with IMS_TABLE_AUTODELIM) */
  int max_fields; /* 0: IMS_TABLE_MAX_FIELDS */
} ims_table_opts_t;

/* Read a CSV buffer (or file) row by row.  `name` is used in messages. */
int ims_table_read_mem(const char *name, const char *buf, size_t len, ims_table_row_fn fn, void *ud,
                       ims_err_t *err);
int ims_table_read_file(const char *path, ims_table_row_fn fn, void *ud, ims_err_t *err);
/* The same with comment callbacks, a delimiter or delimiter detection. */
int ims_table_scan_mem(const char *name, const char *buf, size_t len, const ims_table_opts_t *o,
                       ims_err_t *err);
int ims_table_scan_file(const char *path, const ims_table_opts_t *o, ims_err_t *err);

/* '\t' when the first data line has a tab and no comma, else ','. */
char ims_table_detect_delim(const char *buf, size_t len);

/* ---- header mapping: which field holds each known column ---------------- */

#define IMS_TABLE_NOCASE 1u /* ims_table_cols_t.flags: header names match in any case */

typedef struct ims_table_cols {
  const char *const *names;      /* the known column names */
  int n;                         /* how many (at most IMS_TABLE_MAX_FIELDS) */
  int idx[IMS_TABLE_MAX_FIELDS]; /* per known name: its field index, or -1 */
  unsigned flags;
} ims_table_cols_t;

/* Map a header row.  Unknown columns (the message lists the known ones) and
 * duplicates are errors, and so are missing columns among the first
 * `nrequired` names. */
int ims_table_header(ims_table_cols_t *c, const ims_table_row_t *row, int nrequired,
                     ims_err_t *err);
/* The field of known column k, or NULL when the column is absent or the row
 * short; *col (if not NULL) gets its column number for messages. */
const char *ims_table_field(const ims_table_cols_t *c, const ims_table_row_t *row, int k, int *col);

/* ---- numbers and files --------------------------------------------------- */

/* Strict numbers: the whole field is a finite decimal (no "inf", "nan", hex).
 * Return 0 on success, -1 otherwise (*out untouched). */
int ims_table_double(const char *s, double *out);
int ims_table_long(const char *s, long *out);
/* A whole file in memory, NUL-terminated (at most 128 MB). */
int ims_table_slurp(const char *path, char **buf, size_t *len, ims_err_t *err);
/* FNV-1a 64-bit of a buffer as 16 hex digits (the checksum in '# params:' lines). */
void ims_table_fnv1a64_hex(const char *buf, size_t len, char out[17]);

/* ---- whole tables: run outputs ------------------------------------------- */

/* A dose from a '# dose:' line of a run output:
 *   # dose: t=T cmt=STATE bolus=AMOUNT UNIT
 *   # dose: t=T cmt=STATE infusion rate=RATE UNIT
 *   # dose: t=T cmt=STATE infusion end
 * An end closes the earliest open infusion into the same state. */
typedef struct ims_table_dose {
  double t0, t1; /* t1 = t0 for a bolus; INFINITY for an infusion still running at the end */
  int infusion;
  double amount; /* bolus amount, or infusion rate (NaN when the line gives none) */
  char unit[32]; /* its unit as written, e.g. "mg" or "mg/d" ("" when none) */
  char cmt[64];  /* the state dosed */
} ims_table_dose_t;

typedef struct ims_table_meta {
  char *key;   /* "model", "params", "schedule", "label", ... */
  char *value; /* the rest of the line, trimmed */
  long line;
} ims_table_meta_t;

typedef struct ims_table {
  char *path;
  char delim;
  int ncols;
  char **name; /* header names */
  char **unit; /* from the '# units:' line; NULL where not given */
  long nrows;
  double *v;    /* nrows * ncols, row-major; NaN for empty, "NaN" or non-numeric cells */
  char **text;  /* nrows * ncols cell texts with IMS_TABLE_TEXT, else NULL */
  int *numeric; /* per column: 1 when every non-empty cell is a number (or NaN) */
  long *line;   /* per row: its line in the file */
  int nmeta;
  ims_table_meta_t *meta; /* every '# key: value' line except units and doses, in order */
  int ndose;
  ims_table_dose_t *dose; /* in file order */
} ims_table_t;

/* Load a table: one header row, then data rows with as many fields as the
 * header.  flags: IMS_TABLE_AUTODELIM, IMS_TABLE_TEXT.  *out is allocated. */
int ims_table_load_file(ims_table_t **out, const char *path, unsigned flags, ims_err_t *err);
int ims_table_load_mem(ims_table_t **out, const char *name, const char *buf, size_t len,
                       unsigned flags, ims_err_t *err);
void ims_table_free(ims_table_t *t);

/* One entry of a '# units:' line, "NAME=UNIT" (the last '=' splits it), cut in place into
 * the trimmed name and unit.  -1 when the entry has no '='; 0 otherwise. */
int ims_table_unit_entry(char *entry, char **name, char **unit);
/* Index of a column by exact name, -1 if absent. */
int ims_table_column(const ims_table_t *t, const char *name);
/* The value of the last '# key: value' line with this key, or NULL. */
const char *ims_table_meta_get(const ims_table_t *t, const char *key);
/* A cell (NaN outside the table). */
double ims_table_value(const ims_table_t *t, long row, int col);

/* Finite range of a column: how many finite values, their min and max, and
 * the smallest positive value (INFINITY when none). */
typedef struct ims_table_range {
  long n;
  double min, max, minpos;
} ims_table_range_t;
void ims_table_range(const ims_table_t *t, int col, ims_table_range_t *r);

#ifdef __cplusplus
}
#endif
#endif
