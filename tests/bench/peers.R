# deSolve engines for `make bench`: lsoda with an R-function RHS ("desolve-r")
# and with compiled C through deSolve's compiled-code interface
# ("desolve-c"), over the population and dose events written by `bench prep`.
# Doses are exact discontinuities: lsoda is restarted at every event time.
#   Rscript peers.R ENGINE DIR RTOL ATOL NSUBJ K REPEATS TEND SO
suppressMessages(library(deSolve))
a <- commandArgs(TRUE)
engine <- a[1]; dir <- a[2]; rtol <- as.numeric(a[3]); atol <- as.numeric(a[4])
nsubj <- as.integer(a[5]); K <- as.integer(a[6]); reps <- as.integer(a[7])
tend <- as.numeric(a[8]); so <- a[9]
model <- readLines(file.path(dir, "model"))[1]
pop <- as.matrix(read.csv(file.path(dir, "pop.csv"), nrows = nsubj))[, -1, drop = FALSE]
ev <- read.csv(file.path(dir, "events.csv"))
ns <- length(readLines(file.path(dir, "states.csv")))
npar <- ncol(pop) - ns

# R right-hand sides, from the published equations (models/<name>.md; parameter order as in pop.csv)
rhs_r <- list(
  pk2cmt = function(t, y, p) { # 18 parameters (the covariates at their reference values), 2 y0, 2 rates
    c1 <- y[1] / p[2]
    list(c(-p[1] * c1 - p[3] / p[2] * y[1] + p[3] / p[4] * y[2] + p[21],
           p[3] / p[2] * y[1] - p[3] / p[4] * y[2] + p[22]))
  },
  hardiansyah2019 = function(t, y, p) {
    B <- y[1]; E <- y[2]; ET <- y[3]; M <- y[4]; MT <- y[5]
    f <- B / (B + p[11]); Fd <- p[4] + (1 - p[4]) * p[5] / (y[7] + p[5])
    enc <- 1e6 * B * E
    list(c(p[12] * B - p[13] * B - p[20] * E * B + p[29],
           p[17] * E * B - p[18] * E - p[9] * E + p[10] * ET - p[19] * E * (1 - f) + p[8] * M * f + p[30],
           p[9] * E - p[10] * ET + p[31],
           p[6] * M - p[7] * M - p[9] * M + p[10] * MT + p[19] * E * (1 - f) - p[8] * M * f + p[32],
           p[9] * M - p[10] * MT + p[33],
           p[1] * p[26] + p[14] * enc - p[1] * y[6] + p[34],
           p[2] * p[27] + p[15] * enc - p[2] * y[7] + p[35],
           p[3] * p[28] + p[16] * enc * Fd - p[3] * y[8] + p[36]))
  },
  kirschner_panetta1998 = function(t, y, p) {
    E <- y[1]; T <- y[2]; IL <- y[3]
    list(c(p[1] * T - p[2] * E + p[3] * E * IL / (p[4] + IL) + p[12] + p[17],
           p[6] * T * (1 - p[7] * T) - p[8] * E * T / (p[5] + T) + p[18],
           p[9] * E * T / (p[10] + T) - p[11] * IL + p[13] + p[19]))
  },
  depillis2006 = function(t, y, p) {
    T <- y[1]; N <- y[2]; L <- y[3]; C <- y[4]; M <- y[5]; I <- y[6]
    Ll <- abs(L)^p[5]; DT <- if (Ll > 0) p[4] * T * Ll / (Ll + p[6] * abs(T)^p[5]) else 0
    em <- 1 - exp(-M)
    list(c(p[1] * T * (1 - p[2] * T) - p[3] * N * T - DT - p[19] * em * T + p[35],
           p[7] * C - p[8] * N + p[9] * T^2 / (p[10] + T^2) * N - p[15] * N * T - p[20] * em * N + p[36],
           -p[13] * L + p[11] * DT^2 / (p[12] + DT^2) * L - p[14] * L * T + (p[16] * N + p[17] * C) * T -
             p[18] * N * L^2 - p[21] * em * L + p[27] * L * I / (p[28] + I) + p[37],
           p[23] - p[24] * C - p[22] * em * C + p[38],
           -p[25] * M + p[39],
           -p[26] * I + p[40]))
  })
cname <- c(pk2cmt = "pk2cmt", hardiansyah2019 = "hardi", depillis2006 = "depillis",
           kirschner_panetta1998 = "kp")[[model]]
if (engine == "desolve-c") dyn.load(so)

tout <- seq(0, tend, by = 1)
breaks <- sort(unique(c(ev$time[ev$time < tend], tend)))
one <- function(p, keep) {
  rate <- numeric(ns); y <- p[(npar + 1):(npar + ns)]
  res <- NULL; steps <- 0; fev <- 0; t <- 0
  for (b in breaks) {
    if (b > t) {
      tt <- sort(unique(c(t, tout[tout > t & tout < b], b)))
      pp <- c(p, rate)
      out <- if (engine == "desolve-c")
        lsoda(y, tt, "derivs_" %s% cname, pp, dllname = sub("\\.so$", "", basename(so)),
              initfunc = "init_" %s% cname, rtol = rtol, atol = atol, maxsteps = 50000)
      else lsoda(y, tt, rhs_r[[model]], pp, rtol = rtol, atol = atol, maxsteps = 50000)
      is <- attr(out, "istate"); steps <- steps + is[2]; fev <- fev + is[3]
      y <- out[nrow(out), -1]
      if (keep) res <- rbind(res, out[out[, 1] %in% tout & out[, 1] < b, , drop = FALSE])
      t <- b
    }
    for (i in which(ev$time == b)) {
      k <- ev$cmt[i] + 1
      if (ev$kind[i] == 1) y[k] <- y[k] + ev$value[i]
      else rate[k] <- rate[k] + if (ev$kind[i] == 2) ev$value[i] else -ev$value[i]
    }
  }
  if (keep) res <- rbind(res, c(tend, y))
  list(res = res, steps = steps, fev = fev)
}
`%s%` <- function(a, b) paste0(a, b)

invisible(one(pop[1, ], FALSE)) # warm-up: first-call costs are not per-subject costs
times <- numeric(reps); steps <- 0; fev <- 0
for (r in seq_len(reps)) {
  traj <- NULL; steps <- 0; fev <- 0
  t0 <- proc.time()[["elapsed"]]
  for (i in seq_len(nrow(pop))) {
    o <- one(pop[i, ], r == 1 && i <= K)
    steps <- steps + o$steps; fev <- fev + o$fev
    if (r == 1 && i <= K) traj <- rbind(traj, cbind(i - 1, o$res))
  }
  times[r] <- (proc.time()[["elapsed"]] - t0) / nrow(pop)
  if (r == 1 && K > 0)
    write.table(traj, file.path(dir, sprintf("traj_%s_%s.csv", engine, a[3])), sep = ",",
                row.names = FALSE, col.names = FALSE)
}
cat(sprintf("%s,%s,%.6g,%.1f,%.1f\n", engine, a[3], median(times), fev / nrow(pop),
            steps / nrow(pop)))
