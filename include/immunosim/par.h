/* Processes working on one command: the ranks of an MPI job when immunosim
 * is built with MPI (make MPI=1, or OpenMPI detected) and started by an MPI
 * launcher (mpirun, srun); otherwise one process, and every call below is a
 * no-op.  Population, sweep and compare take a team: each rank takes a
 * contiguous share of the subjects or points, rank 0 receives everything and
 * writes every output.
 *
 * Every function taking a team is collective unless it says otherwise: all
 * ranks call it, in the same order, also after a local failure (a rank that
 * failed passes its status on, so no rank waits forever for another).  A
 * NULL team is one process. */
#ifndef IMMUNOSIM_PAR_H
#define IMMUNOSIM_PAR_H

#include "immunosim/bands.h"
#include "immunosim/err.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ims_par ims_par_t;

/* 1 when this build has MPI. */
int ims_par_built(void);
/* 1 when the environment says an MPI launcher started this process
 * (OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_SIZE). */
int ims_par_launched(void);
/* MPI_Init (threads funneled: only the thread that called it talks MPI) when
 * built with MPI and launched; else a team of one.  Not collective. */
int ims_par_init(ims_par_t **out, int *argc, char ***argv, ims_err_t *err);
/* MPI_Finalize and free. */
void ims_par_finalize(ims_par_t *p);
/* Not collective. */
int ims_par_rank(const ims_par_t *p);
int ims_par_size(const ims_par_t *p);
/* This rank's contiguous share [*a, *b) of [first, last): the first
 * (last - first) % size ranks take one more.  Not collective. */
void ims_par_share(const ims_par_t *p, uint64_t first, uint64_t last, uint64_t *a, uint64_t *b);

/* A rank that can no longer take part in the collective steps (out of
 * memory midway): the reason on stderr, and MPI_Abort ends the job (the
 * launcher reports it).  Not collective; returns only without MPI. */
void ims_par_abort(ims_par_t *p, const ims_err_t *err);

/* Every rank learns the outcome: 0 when every rc is 0, else the status and
 * message of the lowest failing rank (prefixed "rank R: " when R > 0), in
 * err on every rank. */
int ims_par_agree(ims_par_t *p, int rc, ims_err_t *err);
/* Element-wise minimum on every rank. */
int ims_par_min(ims_par_t *p, double *v, size_t n, ims_err_t *err);
/* Element-wise sums, left on rank 0 (the other ranks' v is unchanged). */
int ims_par_sum_i64(ims_par_t *p, int64_t *v, size_t n, ims_err_t *err);
/* Percentile bands onto rank 0: histograms by summed integer counts
 * (MPI_Reduce) after aligning the bins, in blocks of cells; exact bands by
 * gathering the values (rank 0's object must have room for all of them).
 * Memory on rank 0 beyond its bands: one block (at most 8 MB). */
int ims_par_bands(ims_par_t *p, ims_bands_t *b, ims_err_t *err);

/* Records in rank order onto rank 0: rank 0's own records are handed to fn
 * as they are put; the others are kept (memory: their size) and handed over
 * by ims_par_stream_finish, rank 1's then rank 2's, in order. */
typedef int (*ims_par_record_fn)(void *ud, int rank, const void *rec, size_t len, ims_err_t *err);
typedef struct ims_par_stream ims_par_stream_t;
/* Not collective. */
int ims_par_stream_alloc(ims_par_stream_t **out, ims_par_t *p, ims_par_record_fn fn, void *ud,
                         ims_err_t *err);
void ims_par_stream_free(ims_par_stream_t *s);
/* Not collective. */
int ims_par_stream_put(ims_par_stream_t *s, const void *rec, size_t len, ims_err_t *err);
/* Collective.  rc is this rank's status so far (a failed rank sends its
 * message instead of records).  On rank 0: the first error of fn or of a
 * rank, as "rank R: ...". */
int ims_par_stream_finish(ims_par_stream_t *s, int rc, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
