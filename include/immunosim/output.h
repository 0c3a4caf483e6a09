/* Table output: '#' metadata lines, a header row, then rows; written to a
 * temporary file and renamed into place only when the run succeeds.
 *
 * A command with several outputs (a table, events, metrics, ...) opens them
 * in one group (ims_outset_t): every temporary file is created when the
 * output is opened, so an unwritable path fails before any work, and the
 * group is committed all or nothing (every file is flushed and closed first;
 * only when all succeeded are they renamed into place). */
#ifndef IMMUNOSIM_OUTPUT_H
#define IMMUNOSIM_OUTPUT_H

#include "immunosim/err.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_FMT_CSV 0
#define IMS_FMT_TSV 1
/* OR into the format: write no '#' lines (metadata comments and the units
 * line), for readers such as numpy.genfromtxt that cannot skip them. */
#define IMS_OUT_NO_META 0x100

typedef struct ims_output ims_output_t;

/* path "-" writes to stdout (nothing to rename); a device or FIFO (e.g.
 * /dev/null) is written in place.  An empty path or a directory is refused. */
int ims_output_open(ims_output_t **out, const char *path, int format, ims_err_t *err);
int ims_output_comment(ims_output_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A raw line (for tables with text columns); a newline is added. */
int ims_output_line(ims_output_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Header row plus a "# units:" line naming each column's unit. */
int ims_output_header(ims_output_t *o, int n, const char *const *names, const char *const *units);
/* A row of numbers, each written by ims_fmt_num. */
int ims_output_row(ims_output_t *o, const double *v, int n);
/* An output held in memory (a rank's table that rank 0 writes): its bytes
 * so far with ims_output_mem; freed by ims_output_abort. */
int ims_output_open_mem(ims_output_t **out, int format, ims_err_t *err);
/* The bytes of a memory output (NULL for any other output), valid until the
 * next write. */
const char *ims_output_mem(ims_output_t *o, size_t *len);
/* Bytes written as they are (a table another process formatted). */
int ims_output_raw(ims_output_t *o, const char *buf, size_t len);
/* Flush, close and rename into place. Frees o. */
int ims_output_commit(ims_output_t *o, ims_err_t *err);
/* Close and delete the temporary file. Frees o. */
void ims_output_abort(ims_output_t *o);
/* The path as given, or "standard output", for messages. */
const char *ims_output_name(const ims_output_t *o);
/* 1 once a write to it has failed. */
int ims_output_failed(const ims_output_t *o);

/* The shortest of %.15g, %.16g and %.17g that reads back (strtod) to the
 * same double, so a written table reloads bit for bit; NaN as "NaN" and
 * infinities as "Inf"/"-Inf" (what R's read.csv and pandas read as
 * numbers).  buf must hold IMS_NUMBUF bytes; returns buf. */
#define IMS_NUMBUF 32
const char *ims_fmt_num(char *buf, double v);

/* ---- groups of outputs committed together ---- */
typedef struct ims_outset ims_outset_t;
/* Told about every temporary file: created = 1 right after it is made, 0
 * once it is renamed or removed (a signal handler can then delete what
 * exists; see the CLI). */
typedef void (*ims_tmpfile_fn)(void *ud, const char *tmp, int created);

int ims_outset_alloc(ims_outset_t **out, ims_tmpfile_fn fn, void *ud, ims_err_t *err);
/* Open an output in the group (as ims_output_open); the group owns it. */
int ims_outset_open(ims_outset_t *g, ims_output_t **o, const char *path, int format,
                    ims_err_t *err);
/* A file another program writes (a figure gnuplot draws): its temporary
 * file is created now, empty, and renamed with the group.  Nothing is written
 * to it through ims_output_*; ims_output_current names the file to write. */
int ims_outset_reserve(ims_outset_t *g, ims_output_t **o, const char *path, ims_err_t *err);
/* The group's output of that path (as given to open or reserve), or NULL. */
ims_output_t *ims_outset_find(const ims_outset_t *g, const char *path);
/* The file holding what o has so far, flushed, for another program to read
 * or write before the group is committed: the temporary file, or the path
 * itself when written in place; NULL for standard output or a failed flush. */
const char *ims_output_current(ims_output_t *o);
/* Flush and close every output; if all succeeded, rename every temporary
 * file into place, else delete them all.  The outputs are freed. */
int ims_outset_commit(ims_outset_t *g, ims_err_t *err);
/* Delete every temporary file of the group; the outputs are freed. */
void ims_outset_abort(ims_outset_t *g);
/* Aborts whatever is still open. */
void ims_outset_free(ims_outset_t *g);

#ifdef __cplusplus
}
#endif
#endif
