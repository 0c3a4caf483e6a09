/* Table output: '#' metadata lines, a header row, then rows; written to a
 * temporary file and renamed into place only when the run succeeds. */
#ifndef IMMUNOSIM_OUTPUT_H
#define IMMUNOSIM_OUTPUT_H

#include "immunosim/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_FMT_CSV 0
#define IMS_FMT_TSV 1

typedef struct ims_output ims_output_t;

/* path "-" writes to stdout (nothing to rename). */
int ims_output_open(ims_output_t **out, const char *path, int format, ims_err_t *err);
int ims_output_comment(ims_output_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Header row plus a "# units:" line naming each column's unit. */
int ims_output_header(ims_output_t *o, int n, const char *const *names, const char *const *units);
int ims_output_row(ims_output_t *o, const double *v, int n);
/* A line written as given (the caller formats fields and adds no newline). */
int ims_output_line(ims_output_t *o, const char *line);
/* Flush, close and rename into place. Frees o. */
int ims_output_commit(ims_output_t *o, ims_err_t *err);
/* Close and delete the temporary file. Frees o. */
void ims_output_abort(ims_output_t *o);

#ifdef __cplusplus
}
#endif
#endif
