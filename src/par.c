#include "immunosim/par.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef IMS_HAVE_MPI
#include <mpi.h>
#endif

struct ims_par {
  int rank, size, mpi;
};

/* Records travel in messages of whole records of at most this many bytes
 * (one larger record travels alone). */
#define CHUNK ((size_t)32 << 20)
/* Cells per step of the bands reduction: their counts or values take at
 * most about this many bytes. */
#define BLOCK_BYTES ((size_t)8 << 20)

int ims_par_built(void)
{
#ifdef IMS_HAVE_MPI
  return 1;
#else
  return 0;
#endif
}

int ims_par_launched(void)
{
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
    if (getenv(vars[i]))
      return 1;
  return 0;
}

int ims_par_rank(const ims_par_t *p)
{
  return p ? p->rank : 0;
}

int ims_par_size(const ims_par_t *p)
{
  return p ? p->size : 1;
}

void ims_par_share(const ims_par_t *p, uint64_t first, uint64_t last, uint64_t *a, uint64_t *b)
{
  uint64_t n = last - first, k = (uint64_t)ims_par_size(p), r = (uint64_t)ims_par_rank(p);
  uint64_t q = n / k, extra = n % k;
  *a = first + r * q + (r < extra ? r : extra);
  *b = *a + q + (r < extra ? 1 : 0);
}

#ifdef IMS_HAVE_MPI
/* A rank that cannot take part in a collective step any more (out of
 * memory midway) would leave the others waiting: the job ends here, with the
 * reason on this rank's stderr (the one place the library prints). */
static void give_up(const ims_err_t *err)
{
  fprintf(stderr, "immunosim: %s; ending the MPI job\n", err->msg);
  MPI_Abort(MPI_COMM_WORLD, 4);
}

static int mpi_fail(ims_err_t *err, int code, const char *what)
{
  char s[MPI_MAX_ERROR_STRING];
  int n = 0;
  s[0] = '\0';
  MPI_Error_string(code, s, &n);
  return ims_err_set(err, IMS_EINTERNAL, "MPI: %s failed (%s); a rank may have died", what, s);
}
#define MPI_TRY(call, what)                                                                        \
  do {                                                                                             \
    int mrc_ = (call);                                                                             \
    if (mrc_ != MPI_SUCCESS)                                                                       \
      return mpi_fail(err, mrc_, what);                                                            \
  } while (0)
#endif

int ims_par_init(ims_par_t **out, int *argc, char ***argv, ims_err_t *err)
{
  *out = NULL;
  ims_par_t *p = calloc(1, sizeof *p);
  if (!p)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  p->size = 1;
#ifdef IMS_HAVE_MPI
  if (ims_par_launched()) {
    int prov = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &prov) != MPI_SUCCESS) {
      free(p);
      return ims_err_set(err, IMS_EINTERNAL, "MPI_Init failed");
    }
    p->mpi = 1;
    /* errors come back as codes, so a failed call is reported, not an abort */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p->size);
  }
#else
  (void)argc;
  (void)argv;
#endif
  *out = p;
  return IMS_OK;
}

void ims_par_finalize(ims_par_t *p)
{
  if (!p)
    return;
#ifdef IMS_HAVE_MPI
  if (p->mpi)
    MPI_Finalize();
#endif
  free(p);
}

void ims_par_abort(ims_par_t *p, const ims_err_t *err)
{
  if (ims_par_size(p) == 1)
    return;
#ifdef IMS_HAVE_MPI
  give_up(err);
#else
  (void)err;
#endif
}

int ims_par_agree(ims_par_t *p, int rc, ims_err_t *err)
{
  if (ims_par_size(p) == 1)
    return rc;
#ifdef IMS_HAVE_MPI
  int mine = rc ? p->rank : p->size, first = p->size;
  MPI_TRY(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "agreement");
  if (first == p->size)
    return IMS_OK;
  struct {
    int code;
    char msg[IMS_ERRMSG_MAX];
  } m = {rc, ""};
  if (p->rank == first)
    snprintf(m.msg, sizeof m.msg, "%s", err->msg);
  MPI_TRY(MPI_Bcast(&m, (int)sizeof m, MPI_BYTE, first, MPI_COMM_WORLD), "agreement");
  if (first > 0)
    return ims_err_set(err, m.code, "rank %d: %s", first, m.msg);
  return ims_err_set(err, m.code, "%s", m.msg);
#else
  (void)err;
  return rc;
#endif
}

int ims_par_min(ims_par_t *p, double *v, size_t n, ims_err_t *err)
{
  if (ims_par_size(p) == 1)
    return IMS_OK;
#ifdef IMS_HAVE_MPI
  for (size_t i = 0; i < n; i += 1u << 28) {
    int k = (int)(n - i < (1u << 28) ? n - i : (1u << 28));
    MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, v + i, k, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD),
            "reduction");
  }
#else
  (void)v;
  (void)n;
  (void)err;
#endif
  return IMS_OK;
}

#ifdef IMS_HAVE_MPI
/* Sum onto rank 0 in place. */
static int sum_to_root(ims_par_t *p, void *v, size_t n, MPI_Datatype t, size_t size, ims_err_t *err)
{
  for (size_t i = 0; i < n; i += 1u << 28) {
    int k = (int)(n - i < (1u << 28) ? n - i : (1u << 28));
    char *at = (char *)v + i * size;
    MPI_TRY(MPI_Reduce(p->rank == 0 ? MPI_IN_PLACE : at, at, k, t, MPI_SUM, 0, MPI_COMM_WORLD),
            "reduction");
  }
  return IMS_OK;
}
#endif

int ims_par_sum_i64(ims_par_t *p, int64_t *v, size_t n, ims_err_t *err)
{
  if (ims_par_size(p) == 1)
    return IMS_OK;
#ifdef IMS_HAVE_MPI
  return sum_to_root(p, v, n, MPI_INT64_T, sizeof *v, err);
#else
  (void)v;
  (void)n;
  (void)err;
  return IMS_OK;
#endif
}

/* ---- bands ---- */

#ifdef IMS_HAVE_MPI
static int bands_hist(ims_par_t *p, ims_bands_t *b, ims_err_t *err)
{
  size_t ncells = ims_bands_ncells(b);
  /* a block: at most BLOCK_BYTES of counts in the worst case */
  size_t per = 2 * (size_t)IMS_BANDS_BINS + 1, step = BLOCK_BYTES / (per * sizeof(uint32_t));
  step = step ? step : 1;
  double *ext = malloc(4 * step * sizeof *ext);
  uint32_t *cnt = malloc(step * per * sizeof *cnt);
  int rc = ext && cnt ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (size_t c0 = 0; !rc && c0 < ncells; c0 += step) {
    size_t nc = ncells - c0 < step ? ncells - c0 : step;
    ims_bands_extents(b, c0, nc, ext);
    rc = ims_par_min(p, ext, 4 * nc, err);
    rc = rc ? rc : ims_bands_align(b, c0, nc, ext, err);
    size_t ns = ims_bands_nslots(b, c0, nc);
    if (!rc) {
      ims_bands_get_counts(b, c0, nc, cnt);
      rc = sum_to_root(p, cnt, ns, MPI_UINT32_T, sizeof *cnt, err);
    }
    if (!rc && p->rank == 0)
      rc = ims_bands_set_counts(b, c0, nc, cnt, err);
  }
  free(ext);
  free(cnt);
  return rc;
}

static int bands_exact(ims_par_t *p, ims_bands_t *b, ims_err_t *err)
{
  size_t ncells = ims_bands_ncells(b);
  int k = p->size;
  int *nv = calloc((size_t)k, sizeof *nv), *disp = calloc((size_t)k, sizeof *disp);
  double *mine = NULL, *all = NULL;
  int rc = nv && disp ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (size_t c0 = 0; !rc && c0 < ncells;) {
    /* as many cells as keep this rank's block under BLOCK_BYTES (at least one) */
    size_t nc = 0, n = 0;
    while (c0 + nc < ncells &&
           (nc == 0 || (n + ims_bands_count(b, c0 + nc)) * sizeof(double) <= BLOCK_BYTES))
      n += ims_bands_count(b, c0 + nc++);
    /* every rank must step through the same cells: rank 0's choice */
    unsigned long long g = nc;
    MPI_TRY(MPI_Bcast(&g, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "gather");
    nc = (size_t)g;
    /* per cell counts, then the values */
    unsigned long long *cnt = calloc(nc * (size_t)k + 1, sizeof *cnt),
                       *own = calloc(nc + 1, sizeof *own);
    n = 0;
    for (size_t i = 0; own && i < nc; i++)
      n += own[i] = ims_bands_count(b, c0 + i);
    free(mine);
    mine = malloc(n * sizeof *mine + 1);
    if (!cnt || !own || !mine || n > (size_t)1 << 30) {
      free(cnt);
      free(own);
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory gathering the bands");
      give_up(err);
      break;
    }
    ims_bands_get_values(b, c0, nc, mine);
    int mrc = MPI_Gather(own, (int)nc, MPI_UNSIGNED_LONG_LONG, cnt, (int)nc, MPI_UNSIGNED_LONG_LONG,
                         0, MPI_COMM_WORLD);
    int ni = (int)n;
    if (mrc == MPI_SUCCESS)
      mrc = MPI_Gather(&ni, 1, MPI_INT, nv, 1, MPI_INT, 0, MPI_COMM_WORLD);
    size_t tot = 0;
    for (int r = 0; p->rank == 0 && r < k; r++) {
      disp[r] = (int)tot;
      tot += (size_t)nv[r];
    }
    free(all);
    all = p->rank == 0 ? malloc(tot * sizeof *all + 1) : NULL;
    if (mrc == MPI_SUCCESS)
      mrc = MPI_Gatherv(mine, ni, MPI_DOUBLE, all, nv, disp, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (mrc != MPI_SUCCESS)
      rc = mpi_fail(err, mrc, "gathering the bands");
    /* rank 0 adds the others' values (its own are in b already) */
    for (int r = 1; !rc && p->rank == 0 && r < k; r++) {
      const double *v = all + disp[r];
      for (size_t i = 0; !rc && i < nc; i++)
        for (unsigned long long j = 0; !rc && j < cnt[(size_t)r * nc + i]; j++)
          rc = ims_bands_add(b, c0 + i, *v++, err);
    }
    free(cnt);
    free(own);
    c0 += nc;
  }
  free(mine);
  free(all);
  free(nv);
  free(disp);
  return rc;
}
#endif

int ims_par_bands(ims_par_t *p, ims_bands_t *b, ims_err_t *err)
{
  if (ims_par_size(p) == 1)
    return IMS_OK;
#ifdef IMS_HAVE_MPI
  return ims_bands_exact(b) ? bands_exact(p, b, err) : bands_hist(p, b, err);
#else
  (void)b;
  (void)err;
  return IMS_OK;
#endif
}

/* ---- ordered records ---- */

struct ims_par_stream {
  ims_par_t *p;
  ims_par_record_fn fn;
  void *ud;
  char *buf; /* the records of a rank other than 0: [u64 length][bytes] ... */
  size_t len, cap;
  uint64_t n;
  int rc; /* first error of fn on rank 0 */
  ims_err_t err;
};

int ims_par_stream_alloc(ims_par_stream_t **out, ims_par_t *p, ims_par_record_fn fn, void *ud,
                         ims_err_t *err)
{
  *out = calloc(1, sizeof **out);
  if (!*out)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  (*out)->p = p;
  (*out)->fn = fn;
  (*out)->ud = ud;
  return IMS_OK;
}

void ims_par_stream_free(ims_par_stream_t *s)
{
  if (!s)
    return;
  free(s->buf);
  free(s);
}

int ims_par_stream_put(ims_par_stream_t *s, const void *rec, size_t len, ims_err_t *err)
{
  if (ims_par_rank(s->p) == 0)
    return s->fn(s->ud, 0, rec, len, err);
  uint64_t l = len;
  if (s->len + sizeof l + len > s->cap) {
    size_t cap = (s->cap + sizeof l + len) * 2;
    char *nb = realloc(s->buf, cap);
    if (!nb)
      return ims_err_set(err, IMS_ENOMEM, "out of memory holding this rank's results");
    s->buf = nb;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, &l, sizeof l);
  memcpy(s->buf + s->len + sizeof l, rec, len);
  s->len += sizeof l + len;
  s->n++;
  return IMS_OK;
}

#ifdef IMS_HAVE_MPI
typedef struct head {
  unsigned long long bytes, nrec;
  int status;
  char msg[IMS_ERRMSG_MAX];
} head_t;

/* Rank r > 0: the header, then the records in messages of whole records. */
static int stream_send(ims_par_stream_t *s, int rc, ims_err_t *err)
{
  head_t h = {rc ? 0 : s->len, rc ? 0 : s->n, rc, ""};
  if (rc)
    snprintf(h.msg, sizeof h.msg, "%s", err->msg);
  MPI_TRY(MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, 1, MPI_COMM_WORLD), "sending results");
  for (size_t a = 0; !rc && a < s->len;) {
    size_t b = a;
    while (b < s->len) {
      uint64_t l;
      memcpy(&l, s->buf + b, sizeof l);
      if (b > a && b + sizeof l + l - a > CHUNK)
        break;
      b += sizeof l + l;
    }
    MPI_TRY(MPI_Send(s->buf + a, (int)(b - a), MPI_BYTE, 0, 2, MPI_COMM_WORLD), "sending results");
    a = b;
  }
  return rc;
}

/* Rank 0: rank r's records, handed to fn in order. */
static int stream_recv(ims_par_stream_t *s, int r, ims_err_t *err)
{
  head_t h;
  MPI_TRY(MPI_Recv(&h, (int)sizeof h, MPI_BYTE, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "receiving results");
  if (h.status)
    return ims_err_set(err, h.status, "rank %d: %s", r, h.msg);
  char *buf = NULL;
  unsigned long long got = 0, nrec = 0;
  int rc = IMS_OK;
  while (got < h.bytes) {
    MPI_Status st;
    int n = 0;
    MPI_TRY(MPI_Probe(r, 2, MPI_COMM_WORLD, &st), "receiving results");
    MPI_Get_count(&st, MPI_BYTE, &n);
    char *nb = realloc(buf, (size_t)n + 1);
    if (!nb) {
      free(buf);
      ims_err_set(err, IMS_ENOMEM, "out of memory receiving rank %d's results", r);
      give_up(err);
      return IMS_ENOMEM;
    }
    buf = nb;
    int mrc = MPI_Recv(buf, n, MPI_BYTE, r, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (mrc != MPI_SUCCESS) {
      free(buf);
      return mpi_fail(err, mrc, "receiving results");
    }
    for (size_t a = 0; a < (size_t)n;) {
      uint64_t l;
      memcpy(&l, buf + a, sizeof l);
      if (a + sizeof l + l > (size_t)n) {
        free(buf);
        ims_err_set(err, IMS_EINTERNAL, "rank %d: a truncated record", r);
        give_up(err);
        return IMS_EINTERNAL;
      }
      if (!rc)
        rc = s->fn(s->ud, r, buf + a + sizeof l, (size_t)l, err);
      a += sizeof l + l;
      nrec++;
    }
    got += (unsigned long long)n;
  }
  free(buf);
  if (!rc && (got != h.bytes || nrec != h.nrec))
    rc = ims_err_set(err, IMS_EINTERNAL, "rank %d: %llu of %llu results arrived", r, nrec, h.nrec);
  return rc;
}
#endif

int ims_par_stream_finish(ims_par_stream_t *s, int rc, ims_err_t *err)
{
  if (ims_par_size(s->p) == 1)
    return rc;
#ifdef IMS_HAVE_MPI
  if (s->p->rank != 0)
    return stream_send(s, rc, err);
  /* rank 0 always drains every rank, so none is left waiting */
  for (int r = 1; r < s->p->size; r++) {
    ims_err_t e = {0};
    int rr = stream_recv(s, r, &e);
    if (rr && !rc) {
      rc = rr;
      *err = e;
    }
  }
  return rc;
#else
  (void)err;
  return rc;
#endif
}
