# deSolve peer for kirschner_panetta1998, written from the equations in
# Kirschner & Panetta 1998 (J Math Biol 37:235, Eq. 1; models/kirschner_panetta1998.md):
#   dE/dt  = c*T - mu2*E + p1*E*IL/(g1 + IL) + s1
#   dT/dt  = r2*T*(1 - b*T) - a*E*T/(g2 + T)
#   dIL/dt = p2*E*T/(g3 + T) - mu3*IL + s2
# Case: c = 0.035 (BioModels BIOMD0000000732), E0 = 0, T0 = 1, IL0 = 0, 0..500 d:
# growth from one cell to a 1e5-cell peak, then a slow spiral into a stable
# focus; T never falls below one cell.  Both solvers run at rtol 1e-10; the
# flow amplifies relative errors by at most ~1e2 on 0..500 d, so the expected
# difference is ~1e-8 and 1e-6 relative leaves a 100x margin.
# Usage: Rscript kirschner_panetta1998.R path/to/immunosim
suppressMessages(library(deSolve))
args <- commandArgs(trailingOnly = TRUE)
bin <- if (length(args) >= 1) args[1] else "build/immunosim"
p <- c(c = 0.035, mu2 = 0.03, p1 = 0.1245, g1 = 2e7, g2 = 1e5, r2 = 0.18, b = 1e-9,
       a = 1, p2 = 5, g3 = 1e3, mu3 = 10, s1 = 0, s2 = 0)
y0 <- c(E = 0, T = 1, IL = 0)
tend <- 500
tol <- 1e-6

rhs <- function(t, y, p) {
  with(as.list(c(y, p)), {
    list(c(c * T - mu2 * E + p1 * E * IL / (g1 + IL) + s1,
           r2 * T * (1 - b * T) - a * E * T / (g2 + T),
           p2 * E * T / (g3 + T) - mu3 * IL + s2))
  })
}

out <- system2(bin, c("run", "kirschner_panetta1998", "--set", "c=0.035", "--set", "E_0=0",
                      "--set", "T_0=1", "--set", "IL_0=0", "-t", tend, "--dt", "1",
                      "--rtol", "1e-10", "--atol", "1e-10", "-o", "-"), stdout = TRUE)
ours <- read.csv(text = out, comment.char = "#")
ref <- lsoda(y0, ours$time, rhs, p, rtol = 1e-11, atol = 1e-12, maxsteps = 1e6)
worst <- 0
where <- ""
for (k in c("E", "T", "IL")) {
  r <- ref[, k]
  floor <- 1e-6 * max(abs(r))
  err <- abs(ours[[k]] - r) / pmax(abs(r), floor)
  i <- which.max(err)
  if (err[i] > worst) {
    worst <- err[i]
    where <- sprintf("%s at t=%g", k, ours$time[i])
  }
}
ok <- worst <= tol
cat(sprintf("%s kirschner_panetta1998 vs deSolve lsoda (c=0.035, 0-500 d): max rel err %.3g (%s), tol %g\n",
            if (ok) "PASS" else "FAIL", worst, where, tol))
quit(status = if (ok) 0 else 1)
