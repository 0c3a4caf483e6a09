/* The option table and the command table: the one place options and
 * commands are declared (opt.h explains how to add one). */
#include "cli.h"

#include <math.h>
#include <stddef.h>

/* Commands sharing the run options. */
#define RUNS "run compare sweep population sensitivity"
/* The dynamics commands. */
#define DYN "equilibria continue"
#define BIG 1e300

const cli_opt_t cli_opts[] = {
    {OPT_HELP, "help", 'h', CLI_FLAG, NULL,
     "run list info compare sweep sensitivity plot population merge " DYN " translate export",
     "show this help and exit", .group = NULL},

    /* ---- inputs ---- */
    /* (continue's required option first in its help) */
    {OPT_PAR, "par", 0, CLI_TEXT, "NAME=A:B", "continue",
     "the parameter and its range (A != B), in its canonical unit ('immunosim info MODEL'); "
     "required",
     .comp = CLI_C_PARAM_EQ, .group = "inputs"},
    {OPT_PARAMS, "params", 'p', CLI_FILE, "FILE", RUNS " " DYN " export",
     "parameter CSV (name,value,unit,source[,iiv,dist]), or the name of a shipped set "
     "(params/MODEL/; 'immunosim info MODEL' lists them); later files win; default: the "
     "model's published set",
     .flags = CLI_REPEAT, .comp = CLI_C_SETS, .group = "inputs"},
    {OPT_SET, "set", 0, CLI_TEXT, "NAME=VALUE[UNIT]", RUNS " " DYN " export",
     "override one parameter or initial value <STATE>_0, e.g. --set CL=9.4mL/h or --set "
     "B_0=2 (a bare number is in the canonical unit)",
     .flags = CLI_REPEAT, .comp = CLI_C_PARAM_EQ, .group = "inputs"},
    {OPT_SCHEDULE, "schedule", 's', CLI_FILE, "FILE", "run sweep population sensitivity",
     "dosing records (time,cmt,amt,rate,dur,ii,addl,lag,f,ss,unit), or the name of a shipped "
     "schedule (params/schedules/); default: nothing is dosed",
     .comp = CLI_C_SCHEDULES, .group = "inputs"},
    {OPT_SCHEDULE, "schedule", 's', CLI_FILE, "FILE", "compare",
     "a schedule to compare (file or shipped name); give two or more", .flags = CLI_REPEAT,
     .comp = CLI_C_SCHEDULES, .group = "inputs"},
    {OPT_SCHEDULE, "schedule", 's', CLI_FILE, "FILE", "plot",
     "mark the doses of this schedule instead of the data's '# dose:' lines",
     .comp = CLI_C_SCHEDULES, .group = "figure"},
    {OPT_RULES, "rules", 'r', CLI_FILE, "FILE", "run compare sweep sensitivity",
     "state-triggered actions (README 'Rules'), or the name of a shipped rules file "
     "(params/rules/)",
     .comp = CLI_C_RULES, .group = "inputs"},
    {OPT_OMEGA, "omega", 0, CLI_FILE, "FILE", "population",
     "full covariance block: header name,P1,P2,..., one row per name (lower triangle or full "
     "matrix; omega^2 on the log scale); a bare name is looked up in params/MODEL/",
     .comp = CLI_C_FILE, .group = "population"},
    {OPT_COVARIATES, "covariates", 0, CLI_FILE, "FILE", "population",
     "covariates per subject: CSV with a '# units: WT=kg,...' line, a header ID,<covariate "
     "parameters> and one row per subject; their values replace the drawn ones",
     .comp = CLI_C_FILE, .group = "population"},
    {OPT_COVARIATES_MODE, "covariates-mode", 0, CLI_CHOICE, "rows|sample", "population",
     "rows (default): subject i takes row i; sample: rows drawn with replacement from the "
     "seed (subject i's row depends only on the seed and i)",
     .choices = "rows|sample", .comp = CLI_C_WORDS, .group = "population"},

    {OPT_NO_UNIT_CHECK, "no-unit-check", 0, CLI_FLAG, NULL, RUNS " " DYN " info translate",
     "a model file's unit errors become warnings (README 'Write your own model')",
     .group = "inputs"},

    /* ---- times ---- */
    {OPT_END, "end", 't', CLI_NUM, "T", RUNS,
     "end time (default: the last dose, with its repeats and lag, + 28)", .unit = "model time unit",
     .lo = -BIG, .hi = BIG, .group = "times"},
    {OPT_T0, "t0", 0, CLI_NUM, "T", RUNS, "start time (default 0)", .unit = "model time unit",
     .lo = -BIG, .hi = BIG, .group = "times"},
    {OPT_DT, "dt", 0, CLI_NUM, "STEP", RUNS,
     "output every STEP: rows at t0 + i*STEP and at the end; default: a 1-2-5 step giving at "
     "most 1000 rows, plus every dose time and infusion end (so infusion peaks are rows)",
     .unit = "model time unit", .lo = 0, .hi = BIG, .flags = CLI_LO_OPEN, .group = "times"},
    {OPT_TIMES, "times", 0, CLI_FILE, "FILE", RUNS,
     "output exactly at these times (one column, strictly increasing)", .comp = CLI_C_FILE,
     .group = "times"},

    /* ---- output ---- */
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "run",
     "the table ('-': standard output, the default); written to a temporary file and renamed "
     "with the other outputs, so a failed run leaves none",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "sweep",
     "the sweep table (default: standard output): NAME columns, status (ok, stopped, failed), "
     "then COL_metric columns ([WINDOW_]COL_metric with several windows), with a '# units:' line",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "population",
     "percentile bands: time,<col>_p05,_p25,_p50,_p75,_p95 for every state and output "
     "(default: standard output)",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "sensitivity",
     "time courses: one column COL_PAR per column and parameter (without -o only the table is "
     "printed)",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "translate",
     "the C source ('-': standard output, the default); written to a temporary file and "
     "renamed, so a failure leaves none",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "export",
     "the SBML file ('-': standard output); written to a temporary file and renamed, so a "
     "failure leaves none; required",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FIG", "plot",
     "the figure; .png, .svg or .pdf chooses the format (required); its gnuplot script FIG.gp is "
     "written beside it",
     .comp = CLI_C_FILE, .group = "figure"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "merge",
     "the merged table ('-': standard output, the default): the unsharded run's bands or "
     "per-subject rows, byte for byte; its format (CSV or TSV, metadata or not) is the shards' "
     "run's",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_FORMAT, "format", 0, CLI_CHOICE, "csv|tsv", "run population", "table format (default csv)",
     .choices = "csv|tsv", .comp = CLI_C_WORDS, .group = "output"},
    {OPT_NO_META, "no-metadata", 0, CLI_FLAG, NULL, "run compare sweep population sensitivity",
     "write no '#' lines (metadata, units) in the tables, for readers that cannot skip them "
     "(numpy.genfromtxt(names=True))",
     .group = "output"},
    {OPT_UNITS, "units", 0, CLI_TEXT, "COL=UNIT", RUNS,
     "show a column (and its metrics) in another unit, e.g. --units C1=pg/mL", .flags = CLI_REPEAT,
     .comp = CLI_C_COLUMN_EQ, .group = "output"},
    {OPT_PLOT, "plot", 0, CLI_OUT, "FIG", "run",
     "also draw the run (FIG.png, .svg or .pdf; script FIG.gp); without -o the table goes to "
     "FIG.csv; the figure options below shape it",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_PLOT, "plot", 0, CLI_OUT, "FIG", "compare",
     "write each schedule's run next to FIG (FIG_<schedule>.csv) and overlay them in one figure "
     "(script FIG.gp)",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_PLOT, "plot", 0, CLI_OUT, "FIG", "sweep",
     "a line (1-D) or a heat map (2-D) of one metric column; without -o the table goes to FIG.csv",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_PLOT, "plot", 0, CLI_OUT, "FIG", "sensitivity",
     "ranked bar chart of S(peak) and S(AUC) for --of COL (.png, .svg, .pdf), with its script "
     "FIG.gp and its data FIG.csv",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_EVENTS_OUT, "events-out", 0, CLI_OUT, "FILE", "run",
     "write every fired rule as CSV (time,rule,variable,value,action,status); they are also "
     "'# event:' lines in the table",
     .comp = CLI_C_FILE, .group = "rules"},
    {OPT_METRICS_OUT, "metrics-out", 0, CLI_OUT, "FILE", "run",
     "write the metrics as CSV (window,start,end,complete,column,threshold,metric,value,unit)",
     .comp = CLI_C_FILE, .group = "metrics"},
    {OPT_METRICS_OUT, "metrics-out", 0, CLI_OUT, "FILE", "compare",
     "the table as CSV (window,column,threshold,metric,unit, the schedules' values, ratio_ and "
     "diff_ columns against the first)",
     .comp = CLI_C_FILE, .group = "metrics"},
    {OPT_METRICS_OUT, "metrics-out", 0, CLI_OUT, "FILE", "sensitivity",
     "sensitivities of each column's peak, AUC and final value "
     "(column,parameter,metric,value,time,d_value_d_p,normalised)",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_PER_SUBJECT, "per-subject", 0, CLI_OUT, "FILE", "population",
     "one row per subject: subject,status,<varying parameters>, and per column (--cols) "
     "COL_cmax,COL_tmax,COL_auc (CVODES quadrature),COL_last",
     .comp = CLI_C_FILE, .group = "output"},

    /* ---- solver ---- */
    {OPT_METHOD, "method", 0, CLI_CHOICE, "bdf|adams", RUNS, "CVODES method (default bdf)",
     .choices = "bdf|adams", .comp = CLI_C_WORDS, .group = "solver"},
    /* the solver settings' limits are the library's (ims_opts_validate, checked in cli_runargs) */
    {OPT_RTOL, "rtol", 0, CLI_NUM, "R", RUNS, "relative tolerance, in (0, 1) (default 1e-6)",
     .group = "solver"},
    {OPT_ATOL, "atol", 0, CLI_TEXT, "A|STATE=A", RUNS,
     "absolute tolerance, for every state (0 < A <= 1e100, default 1e-9) or one state "
     "(--atol IL6=1e-3), in the state's unit",
     .flags = CLI_REPEAT, .comp = CLI_C_STATE_EQ, .group = "solver"},
    {OPT_EXTINCT, "extinct", 0, CLI_TEXT, "STATE=FLOOR", RUNS,
     "set STATE to 0 when it falls below FLOOR (located by root finding)", .flags = CLI_REPEAT,
     .comp = CLI_C_STATE_EQ, .group = "solver"},
    {OPT_NO_EXTINCT, "no-extinct", 0, CLI_FLAG, NULL, RUNS,
     "switch off the model's own extinction rule (e.g. cartmath2021)", .group = "solver"},
    {OPT_NO_JAC, "no-jac", 0, CLI_FLAG, NULL, RUNS,
     "use difference quotients instead of the analytic Jacobian", .group = "solver"},
    {OPT_INIT_STEP, "init-step", 0, CLI_NUM, "H", RUNS,
     "first step after each restart (default 0: CVODE's estimate)", .unit = "model time unit",
     .group = "solver"},
    {OPT_MAX_STEPS, "max-steps", 0, CLI_INT, "N", RUNS,
     "steps allowed between outputs (default 50000)", .lo = 1, .hi = 1e9, .group = "solver"},
    {OPT_STATS, "stats", 0, CLI_FLAG, NULL, "run population merge",
     "print solver statistics to stderr", .group = "solver"},

    /* ---- metrics ---- */
    {OPT_METRICS, "metrics", 0, CLI_FLAG, NULL, "run",
     "print a metrics table: to standard output when -o names a file, else to stderr (the rows "
     "own standard output)",
     .group = "metrics"},
    {OPT_WINDOW, "window", 0, CLI_TEXT, "W", "run",
     "all | doses (each dosing interval) | last (the last complete dosing interval: steady "
     "state) | START:END; default: all and last",
     .flags = CLI_REPEAT, .comp = CLI_C_NONE, .group = "metrics"},
    {OPT_WINDOW, "window", 0, CLI_TEXT, "W", "compare",
     "all | last | START:END (per-dose windows differ between schedules); default: all and last",
     .flags = CLI_REPEAT, .group = "metrics"},
    {OPT_WINDOW, "window", 0, CLI_TEXT, "W", "sweep", "all | last | START:END; default: all",
     .flags = CLI_REPEAT, .group = "metrics"},
    {OPT_THRESHOLD, "threshold", 0, CLI_TEXT, "COL=V[UNIT]", "run compare",
     "time above/below V and crossings, e.g. --threshold C1=50mg/L; a bare V is in the "
     "column's display unit",
     .flags = CLI_REPEAT, .comp = CLI_C_COLUMN_EQ, .group = "metrics"},
    {OPT_THRESHOLD, "threshold", 0, CLI_TEXT, "COL=V[UNIT]", "sweep",
     "adds thN_above, thN_below, thN_crossings columns", .flags = CLI_REPEAT,
     .comp = CLI_C_COLUMN_EQ, .group = "metrics"},
    {OPT_COLS, "cols", 0, CLI_TEXT, "A,B", "run compare sweep",
     "metrics only for these columns (default: every column)", .comp = CLI_C_COLUMNS,
     .group = "metrics"},
    {OPT_COLS, "cols", 0, CLI_TEXT, "A,B", "population",
     "--per-subject metrics of these columns only, in this order (default: every state and "
     "output); the others are not watched",
     .comp = CLI_C_COLUMNS, .group = "output"},
    {OPT_EXTREMA, "extrema", 0, CLI_OUT, "FILE", "run",
     "write every local maximum and minimum of the metrics columns (--cols) as CSV "
     "column,kind,time,value,unit: roots of the column's time derivative, over the whole run "
     "(the jump of a dose is not an extremum)",
     .comp = CLI_C_FILE, .group = "metrics"},
    {OPT_CROSSINGS, "crossings", 0, CLI_OUT, "FILE", "run",
     "write every crossing of each --threshold as CSV column,threshold,unit,time,direction "
     "(up, down), located by root finding or at the dose that jumps across",
     .comp = CLI_C_FILE, .group = "metrics"},

    /* ---- population ---- */
    {OPT_N, "n", 'n', CLI_U64, "N", "population", "population size; subjects are numbered 0 .. N-1",
     .lo = 1, .group = "population"},
    {OPT_SEED, "seed", 0, CLI_U64, "K", "population",
     "64-bit seed (default 1); subject i's parameters depend only on (K, i), so threads and "
     "shards never change them",
     .group = "population"},
    {OPT_SUBJECTS, "subjects", 0, CLI_TEXT, "A:B", "population",
     "simulate only subjects A .. B-1 (0-based, half-open): a shard, e.g. 0:500 and 500:1000; "
     "its -o file holds the shard's bands as histogram counts (or values), mergeable, and both "
     "files carry a '# shard:' line; 'immunosim merge' turns the shards into the unsharded run's "
     "files",
     .group = "population"},
    {OPT_THREADS, "threads", 0, CLI_INT, "T", "population",
     "OpenMP threads (default 1; 0 = all cores); results are bit-identical for every T", .lo = 0,
     .hi = 1024, .group = "population"},
    {OPT_BANDS_MEM, "bands-mem", 0, CLI_NUM, "MB", "population",
     "exact percentiles while N x times x columns x 8 bytes fit in MB (default 64; under MPI rank "
     "0 holds them all, every other rank its share); beyond, log-spaced histograms of integer "
     "counts, at most 2 x 2048 bins per time and column (16 KB: bins x times x columns, whatever "
     "N), relative accuracy 0.39 % (coarser where one time's values span more than a factor 256: "
     "the summary and the file say)",
     .unit = "MB", .lo = 0, .hi = 1e6, .group = "population"},

    /* ---- sweep ---- */
    {OPT_VARY, "vary", 0, CLI_TEXT, "NAME=LO:HI:N[:log]", "sweep",
     "a parameter (CL), an initial value (T_0) or a field of dosing record K (amt[K], dur[K], "
     "ii[K], time[K]; K from 1) over N points, evenly or geometrically (:log) spaced; LO and HI "
     "may carry a unit; once or twice (a 1-D or 2-D grid)",
     .flags = CLI_REPEAT, .comp = CLI_C_PARAM_EQ, .group = "sweep"},
    {OPT_PLOT_METRIC, "plot-metric", 0, CLI_TEXT, "COL_metric", "sweep",
     "which column --plot draws (default: the first *_max)", .group = "sweep"},

    /* ---- sensitivity ---- */
    {OPT_PAR, "par", 0, CLI_TEXT, "A,B,...", "sensitivity",
     "parameters or initial values <STATE>_0 (default: every non-zero value the files set, "
     "initial values included)",
     .comp = CLI_C_PARAMS, .group = "sensitivity"},
    {OPT_OF, "of", 0, CLI_TEXT, "COL", "sensitivity",
     "the column ranked in the printed table (default: the first output, else the first state)",
     .comp = CLI_C_COLUMNS, .group = "sensitivity"},
    {OPT_RAW, "raw", 0, CLI_FLAG, NULL, "sensitivity", "unnormalised dy/dp",
     .group = "sensitivity"},

    /* ---- list, info ---- */
    {OPT_NAMES, "names", 0, CLI_FLAG, NULL, "list",
     "only the names, one per line (for scripts and shell completion)", .group = NULL},
    {OPT_NAMES, "names", 0, CLI_FLAG, NULL, "info",
     "only the parameter names (with <STATE>_0), one per line", .group = NULL},
    {OPT_COLUMNS, "columns", 0, CLI_FLAG, NULL, "info",
     "only the output columns (states, then outputs), one per line", .group = NULL},
    {OPT_SETS, "sets", 0, CLI_FLAG, NULL, "info", "only the shipped parameter sets, one per line",
     .group = NULL},
    {OPT_SCHEDULES, "schedules", 0, CLI_FLAG, NULL, "info",
     "only the shipped schedules that dose the model, one per line", .group = NULL},

    /* ---- figures ---- */
    {OPT_Y, "y", 0, CLI_TEXT, "COL[,COL...]", "plot run",
     "one panel per column (default: the model's outputs, else every column that is not "
     "identically zero; at most 9 panels)",
     .flags = CLI_REPEAT, .comp = CLI_C_COLUMNS, .group = "figure"},
    {OPT_OVERLAY, "overlay", 0, CLI_FLAG, NULL, "plot run", "all chosen columns in one panel",
     .group = "figure"},
    {OPT_LOGY, "logy", 0, CLI_FLAG, NULL, "plot run",
     "log y axes (default: log when a column is positive and spans more than 3 decades)",
     .group = "figure"},
    {OPT_LINY, "liny", 0, CLI_FLAG, NULL, "plot run", "linear y axes", .group = "figure"},
    {OPT_LOGX, "logx", 0, CLI_FLAG, NULL, "plot run", "log x axis (with --x)", .group = "figure"},
    {OPT_LINX, "linx", 0, CLI_FLAG, NULL, "plot run", "linear x axis (with --x)",
     .group = "figure"},
    {OPT_WEEKS, "weeks", 0, CLI_FLAG, NULL, "plot run", "time axis in weeks (doses too)",
     .group = "figure"},
    {OPT_XRANGE, "xrange", 0, CLI_TEXT, "LO:HI", "plot run",
     "time range shown (either end may be empty)", .group = "figure"},
    {OPT_YRANGE, "yrange", 0, CLI_TEXT, "LO:HI", "plot run", "y range of every panel",
     .group = "figure"},
    {OPT_X, "x", 0, CLI_TEXT, "COL", "plot run",
     "plot against COL instead of time (phase portrait)", .comp = CLI_C_COLUMNS, .group = "figure"},
    {OPT_HLINE, "hline", 0, CLI_TEXT, "COL=VALUE[:LABEL]", "plot run",
     "labelled reference line in COL's panel, in COL's unit", .flags = CLI_REPEAT,
     .comp = CLI_C_COLUMN_EQ, .group = "figure"},
    {OPT_POINTS, "points", 0, CLI_FILE, "FILE", "plot run",
     "reference data as points (CSV: time in days, then columns named like the output's, "
     "optional COL_lo,COL_hi error bars; a comment line '# label: TEXT' names it in the legend)",
     .flags = CLI_REPEAT, .comp = CLI_C_FILE, .group = "figure"},
    {OPT_STYLE, "style", 0, CLI_CHOICE, "lecture|paper", "plot run",
     "1600x1000 with large type (default), or 900x560 for print", .choices = "lecture|paper",
     .comp = CLI_C_WORDS, .group = "figure"},
    {OPT_TITLE, "title", 0, CLI_TEXT, "TEXT", "plot run",
     "figure title (default: model, parameter set, schedule; \"\": none)", .group = "figure"},
    {OPT_YLABEL, "ylabel", 0, CLI_TEXT, "TEXT", "plot run",
     "y label of every panel (default: the column and its unit)", .group = "figure"},
    {OPT_LABELS, "labels", 0, CLI_TEXT, "A,B", "plot run",
     "legend labels, one per input file (default: the file names)", .group = "figure"},
    {OPT_NO_DOSES, "no-doses", 0, CLI_FLAG, NULL, "plot run",
     "do not mark doses along the time axis", .group = "figure"},

    /* ---- dynamics: equilibria ---- */
    {OPT_BOX, "box", 0, CLI_TEXT, "STATE=LO:HI", "equilibria",
     "search box of one state, in its unit (LO < HI); default 0 to 10 x the state's scale (its "
     "initial value, how far it moves alone, the parameters in its unit: README 'Dynamics')",
     .flags = CLI_REPEAT, .comp = CLI_C_STATE_EQ, .group = "inputs"},
    {OPT_BOX, "box", 0, CLI_TEXT, "STATE=LO:HI", "continue",
     "the box of one state, in its unit (LO < HI): equilibria at A and B are sought in it and "
     "branches stop on it; default as for 'immunosim equilibria', with NAME at A",
     .flags = CLI_REPEAT, .comp = CLI_C_STATE_EQ, .group = "inputs"},
    {OPT_TIME, "time", 0, CLI_NUM, "T", DYN,
     "freeze a time-dependent right-hand side at T, with no doses (default 0)",
     .unit = "model time unit", .lo = -BIG, .hi = BIG, .group = "inputs"},
    {OPT_STARTS, "starts", 0, CLI_INT, "N", "equilibria",
     "quasi-random Newton starts (default 40 + 20 per state, at most 400)", .lo = 1, .hi = 100000,
     .group = "inputs"},
    {OPT_STARTS, "starts", 0, CLI_INT, "N", "continue",
     "quasi-random Newton starts of the equilibrium searches at A and at B (default 40 + 20 per "
     "state, at most 400)",
     .lo = 1, .hi = 100000, .group = "inputs"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "equilibria",
     "CSV: index, the states, type, stability, n_unstable, n_boundary, continuum, then re_k,im_k "
     "per eigenvalue ('-': standard output, instead of the table); written with --nullclines "
     "and --field, all or none",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_PLANE, "plane", 0, CLI_TEXT, "X,Y", "equilibria",
     "the phase plane of two states; the other states stay at the initial state, at "
     "equilibrium --at K, or at their own equilibrium (--slaved)",
     .comp = CLI_C_COLUMNS, .group = "phase plane"},
    {OPT_XRANGE, "xrange", 0, CLI_TEXT, "A:B", "equilibria",
     "range of X, in its unit (default: the box)", .group = "phase plane"},
    {OPT_YRANGE, "yrange", 0, CLI_TEXT, "A:B", "equilibria",
     "range of Y, in its unit (default: the box)", .group = "phase plane"},
    {OPT_GRID, "grid", 0, CLI_INT, "N", "equilibria",
     "grid points per axis of the direction field (default 30; with --plot 20)", .lo = 2,
     .hi = 2000, .group = "phase plane"},
    {OPT_LOGX, "logx", 0, CLI_FLAG, NULL, "equilibria",
     "log-spaced X grid (a range starting at 0 starts at 1e-6 of its end)", .group = "phase plane"},
    {OPT_LOGY, "logy", 0, CLI_FLAG, NULL, "equilibria",
     "log-spaced Y grid (a range starting at 0 starts at 1e-6 of its end)", .group = "phase plane"},
    {OPT_AT, "at", 0, CLI_INT, "K", "equilibria",
     "the other states at equilibrium K, as numbered in the table (default: the initial state)",
     .lo = 1, .group = "phase plane"},
    {OPT_SLAVED, "slaved", 0, CLI_FLAG, NULL, "equilibria",
     "the other states at their own equilibrium for each (X, Y): quasi-steady state",
     .group = "phase plane"},
    {OPT_NC_GRID, "nc-grid", 0, CLI_INT, "N", "equilibria",
     "grid points per axis of the nullcline search (default 200); each point is then solved on "
     "the curve",
     .lo = 2, .hi = 2000, .group = "phase plane"},
    {OPT_NULLCLINES, "nullclines", 0, CLI_OUT, "FILE", "equilibria",
     "CSV nullcline,segment,X,Y: the nullclines as polylines, each point solved on the curve "
     "(with --plot: default FIG_nullclines.csv)",
     .comp = CLI_C_FILE, .group = "phase plane"},
    {OPT_FIELD, "field", 0, CLI_OUT, "FILE", "equilibria",
     "CSV X,Y,dX,dY,arrow_x,arrow_y: the direction field on the grid, and the arrows drawn (a "
     "fixed length on the drawn axes) (with --plot: default FIG_field.csv)",
     .comp = CLI_C_FILE, .group = "phase plane"},
    {OPT_TRAJ, "traj", 0, CLI_TEXT, "X0,Y0", "equilibria",
     "a trajectory of the model from X = X0, Y = Y0 (the other states as the plane has them), in "
     "the states' units; repeatable",
     .flags = CLI_REPEAT, .group = "phase plane"},
    {OPT_SEPARATRIX, "separatrix", 0, CLI_FLAG, NULL, "equilibria",
     "the separatrices: the stable manifold of every saddle in the plane whose stable manifold "
     "is a curve, integrated backwards from the saddle along its stable eigenvector",
     .group = "phase plane"},
    {OPT_TRAJ_TIME, "traj-time", 0, CLI_NUM, "T", "equilibria",
     "how long trajectories (and, backwards, separatrices) run (default: 10 over the slowest "
     "rate |Re l| of the equilibria found)",
     .unit = "model time unit", .lo = 0, .hi = BIG, .flags = CLI_LO_OPEN, .group = "phase plane"},
    {OPT_TRAJ_OUT, "traj-out", 0, CLI_OUT, "FILE", "equilibria",
     "CSV curve,kind,time,X,Y of the trajectories and separatrices (with --plot: default "
     "FIG_curves.csv)",
     .comp = CLI_C_FILE, .group = "phase plane"},
    {OPT_PLOT, "plot", 0, CLI_OUT, "FIG", "equilibria",
     "draw the phase portrait (FIG.png, .svg or .pdf; script FIG.gp): direction field, "
     "nullclines, equilibria with their type, --traj trajectories and --separatrix; its tables "
     "go beside it (FIG_eq.csv, FIG_nullclines.csv, FIG_field.csv, FIG_curves.csv) unless named",
     .comp = CLI_C_FILE, .group = "phase plane"},
    {OPT_TITLE, "title", 0, CLI_TEXT, "TEXT", DYN,
     "figure title (default: model, parameter set, what is drawn; \"\": none)", .group = "figure"},
    {OPT_STYLE, "style", 0, CLI_CHOICE, "lecture|paper", DYN,
     "1600x1000 with large type (default), or 900x560 for print", .choices = "lecture|paper",
     .comp = CLI_C_WORDS, .group = "figure"},

    /* ---- dynamics: continue ---- */
    {OPT_MAX_POINTS, "max-points", 0, CLI_INT, "N", "continue", "points per branch (default 5000)",
     .lo = 1, .hi = 1e7, .group = "continuation"},
    {OPT_MAX_STEP, "max-step", 0, CLI_NUM, "H", "continue",
     "largest step in scaled arclength (default 0.05); two sign changes of one test function "
     "within a step cancel, so H bounds what can be missed",
     .lo = 0, .hi = 1, .flags = CLI_LO_OPEN, .group = "continuation"},
    {OPT_OUT, "out", 'o', CLI_OUT, "FILE", "continue",
     "CSV, one row per point: kind, branch, NAME, the states, stability, type, label, "
     "n_unstable, max_re, count, period; kind 'eq' for branch points, 'orbit_max', 'orbit_min', "
     "'orbit_eq', 'orbit_monotone', 'orbit_damped' for --orbits rows ('-': standard output, "
     "instead of the "
     "summary)",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_PLOT, "plot", 0, CLI_OUT, "FIG", "continue",
     "draw the bifurcation diagram (FIG.png, .svg or .pdf; script FIG.gp): stable branches "
     "solid, unstable dashed, folds, Hopf and branch points labelled, orbit extrema as points, "
     "bistable ranges shaded; without -o the table goes to FIG.csv",
     .comp = CLI_C_FILE, .group = "output"},
    {OPT_Y, "y", 0, CLI_TEXT, "STATE[,STATE...]", "continue",
     "the states drawn against NAME, one panel each (default: the model's first default-figure "
     "state, else the --orbits state)",
     .flags = CLI_REPEAT, .comp = CLI_C_COLUMNS, .group = "figure"},
    {OPT_LOGY, "logy", 0, CLI_FLAG, NULL, "continue",
     "log y axes (default: the model's scale for the state, else log when the values span more "
     "than 3 decades)",
     .group = "figure"},
    {OPT_LINY, "liny", 0, CLI_FLAG, NULL, "continue", "linear y axes", .group = "figure"},
    {OPT_LOGX, "logx", 0, CLI_FLAG, NULL, "continue",
     "log NAME axis (default: with --logpar, or when A:B spans more than 3 decades)",
     .group = "figure"},
    {OPT_LINX, "linx", 0, CLI_FLAG, NULL, "continue", "linear NAME axis", .group = "figure"},
    {OPT_YRANGE, "yrange", 0, CLI_TEXT, "LO:HI", "continue",
     "y range of every panel (either end may be empty)", .group = "figure"},
    {OPT_ORBITS, "orbits", 0, CLI_TEXT, "STATE", "continue",
     "also the orbit diagram: simulate at --npar values of NAME and record the local maxima "
     "and minima of STATE after --transient",
     .comp = CLI_C_COLUMNS, .group = "orbit diagram"},
    {OPT_NPAR, "npar", 0, CLI_INT, "N", "continue", "parameter values from A to B (default 51)",
     .lo = 1, .hi = 100000, .group = "orbit diagram"},
    {OPT_LOGPAR, "logpar", 0, CLI_FLAG, NULL, "continue", "log-spaced values (A and B > 0)",
     .group = "orbit diagram"},
    {OPT_TRANSIENT, "transient", 0, CLI_NUM, "T", "continue", "discarded time (default 2000)",
     .unit = "model time unit", .lo = 0, .hi = BIG, .group = "orbit diagram"},
    {OPT_WINDOW, "window", 0, CLI_NUM, "T", "continue",
     "recorded time after the transient (default 2000)", .unit = "model time unit", .lo = 0,
     .hi = BIG, .flags = CLI_LO_OPEN, .group = "orbit diagram"},
    {OPT_CARRY, "carry", 0, CLI_FLAG, NULL, "continue",
     "start each value from the end state of the previous one (default: from the initial state)",
     .group = "orbit diagram"},
    {OPT_RTOL, "rtol", 0, CLI_NUM, "R", "continue",
     "relative tolerance of the orbit runs, in (0, 1) (default 1e-8)", .group = "orbit diagram"},
    {OPT_ATOL, "atol", 0, CLI_TEXT, "A|STATE=A", "continue",
     "absolute tolerance of the orbit runs, for every state (0 < A <= 1e100, default 1e-10) or "
     "one state (--atol T=1e-3), in the state's unit",
     .flags = CLI_REPEAT, .comp = CLI_C_STATE_EQ, .group = "orbit diagram"},
    {OPT_EXTINCT, "extinct", 0, CLI_TEXT, "STATE=FLOOR", "continue",
     "in the orbit runs, set STATE to 0 when it falls below FLOOR (located by root finding)",
     .flags = CLI_REPEAT, .comp = CLI_C_STATE_EQ, .group = "orbit diagram"},
    {OPT_NO_EXTINCT, "no-extinct", 0, CLI_FLAG, NULL, "continue",
     "switch off the model's own extinction rule in the orbit runs", .group = "orbit diagram"},
};
const int cli_nopts = (int)(sizeof cli_opts / sizeof *cli_opts);

/* ---- commands ---- */

#define RUN_NOTES                                                                                  \
  "Doses at a time are applied before the output row at that time, so a row at a dose time "       \
  "shows the post-dose state.  States far below --atol may show tiny negative values (e.g. "       \
  "-1e-10 cells): CVODE controls errors relative to atol, not signs; they are written as "         \
  "computed, never clamped (give that state a smaller --atol).\n\n"                                \
  "Runs longer than a second show a progress bar on stderr when it is a terminal."

const cli_cmd_t cli_cmds[] = {
    {"run", "simulate a model and write a table", "MODEL [options]",
     "Simulate MODEL and write a table: '#' metadata lines, then time,<states>,<outputs>.",
     RUN_NOTES,
     "immunosim run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -t 365 \\\n"
     "  --dt 1 -o pembro.csv\n"
     "immunosim run pk2cmt -s blinatumomab_cycle1 -t 42 --units C1=pg/mL --plot blina.png\n"
     "immunosim run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_400mg_q6w -t 378 \\\n"
     "  --metrics --threshold C1=20 -o pembro.csv\n",
     1, 1, "MODEL", cmd_run, 0},
    {"list", "list the models", "[--names]",
     "List the models: name, therapy family and what the model is.", NULL,
     "immunosim list\nimmunosim info $(immunosim list --names | head -1)\n", 0, 0, NULL, cmd_list,
     0},
    {"info", "show a model's states, parameters, outputs, sets, schedules and citation",
     "MODEL [--names | --columns | --sets | --schedules]",
     "Show a model's states, parameters (default value, unit, description, source), outputs, "
     "citation and notes (errata applied), its shipped parameter sets and the shipped "
     "schedules that dose it.",
     NULL, "immunosim info pk2cmt\nimmunosim info pk2cmt --names\n", 1, 1, "MODEL", cmd_info, 0},
    {"compare", "run several schedules and compare their metrics",
     "MODEL -s A.csv -s B.csv [...] [options]",
     "Run MODEL under each schedule (same parameters, same end time: -t, or the latest default "
     "end) and print one metrics table: a column per schedule, then each schedule against the "
     "first: the ratio for amounts, concentrations and AUCs, the difference for times (tmax, "
     "tmin, regrow, time above and below: + is later or longer).  Windows: all, last (the last "
     "complete dosing interval, i.e. steady state) and START:END.",
     "MPI (a build with MPI): under mpirun with K ranks, each rank takes a contiguous "
     "range of the schedules; rank 0 writes every output (the metrics, the runs' tables, the "
     "figure), bit-identical to one process.",
     "immunosim compare pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w \\\n"
     "  -s pembrolizumab_400mg_q6w -t 378 --cols C1\n",
     1, 1, "MODEL", cmd_compare, 0},
    {"sweep", "metrics over a 1-D or 2-D grid of parameters or doses",
     "MODEL --vary NAME=LO:HI:N[:log] [--vary ...] [options]",
     "Run MODEL at every point of a 1-D or 2-D grid and write one row of metrics per point.  "
     "NAME is a parameter (CL), an initial condition (T_0), or a field of dosing record K of the "
     "schedule (1-based): amt[K], dur[K], ii[K], time[K] (amt[1] is the first dose; its column "
     "is amt_1).  LO and HI may carry a unit (amt[1]=10mg:400mg:8); a bare number is in the "
     "canonical unit ('immunosim info MODEL'); N points, evenly spaced, or geometrically with "
     ":log.",
     "A grid point whose solve fails is reported on stderr and written with status failed; the "
     "sweep then exits 2 after writing the table.\n\n"
     "MPI (a build with MPI): under mpirun with K ranks, each rank takes a contiguous "
     "range of the grid (row-major, the second --vary fastest); rank 0 writes the table, "
     "bit-identical to one process.",
     "immunosim sweep pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -t 126 \\\n"
     "  --vary amt[1]=100mg:400mg:4 --vary CL=0.1:0.4:4:log --cols C1 --window last\n",
     1, 1, "MODEL", cmd_sweep, 0},
    {"sensitivity", "local forward sensitivities of outputs and metrics",
     "MODEL [run options] [--par A,B,...] [--of COL] [--raw] [-o OUT.csv]",
     "Forward sensitivities of every state and output with respect to parameters or initial "
     "values (<STATE>_0), integrated by CVODES with the model's Jacobian (not by re-running "
     "with perturbed parameters).  Normalised: S = (p / y) dy/dp, the % change of y per % "
     "change of p; --raw gives dy/dp in the columns' units per parameter unit.",
     "The peak is the exact maximum over the run (as the metrics of 'run' find it: between "
     "output times too); at a smooth interior maximum its sensitivity is dy/dp at the peak time "
     "(envelope theorem).  AUC sensitivities come from CVODES quadrature sensitivities, not the "
     "grid.  Sensitivities do not include the shift of state-triggered events (rules) with p.",
     "immunosim sensitivity pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w \\\n"
     "  -t 126 --par CL,V1,Q,V2 --of C1\n",
     1, 1, "MODEL", cmd_sensitivity, 0},
    {"plot", "draw run outputs with gnuplot (PNG, SVG, PDF)",
     "OUT.csv [OUT2.csv ...] -o FIG.png|FIG.svg|FIG.pdf [options]",
     "Draw run outputs with gnuplot.  The script is written beside the figure (FIG.gp) and then "
     "run; edit it and re-run with 'gnuplot FIG.gp'.  Units on the axes come from the outputs' "
     "'# units:' line, the doses from their '# dose:' lines, in a strip under the time axis "
     "(infusions as bars as high as their rate, boluses as the drug's symbol, a row per drug).  "
     "Several outputs are overlaid in every panel, with "
     "a legend.  Columns COL_p05,COL_p25,COL_p50,COL_p75,COL_p95 (population percentiles) are "
     "drawn as shaded 5-95 % and 25-75 % bands around the median.  A 'continue -o' table is "
     "drawn as a bifurcation diagram, and the phase-plane tables of 'equilibria' (nullclines, "
     "field, "
     "equilibria, curves; up to four, in any order) as a phase portrait (README 'Bifurcation "
     "diagrams and phase portraits').",
     "The script and the figure are written together or not at all: when gnuplot is missing "
     "(checked first) or fails, neither is (exit 3); run, compare, sweep and sensitivity "
     "commit a figure they draw with their tables in the same way.  A file that is not a time "
     "course (a text "
     "file, a sweep table) is named with what plot draws (exit 1).\n\n"
     "Environment: IMMUNOSIM_GNUPLOT names the gnuplot binary (default: gnuplot on PATH).",
     "immunosim plot blina.csv --y C1 --hline C1=500:\"target\" -o blina.png\n", 0, CLI_MAX_POS,
     "FILE", cmd_plot, 0},
    {"population", "simulate a virtual population: percentile bands, per-subject metrics",
     "MODEL -p PARAMS -s SCHEDULE -n N --seed K [options]",
     "Simulate N virtual subjects whose parameters vary as the parameter file's iiv and dist "
     "columns say (iiv: omega^2, or a CV like 30%; dist: lognormal (default), normal, fixed), "
     "and write percentile bands over time and, optionally, one row per subject.",
     "A subject whose draw or solve fails is reported on stderr (subject, time, state), "
     "excluded from the bands, marked 'failed' in the per-subject file and counted; the run "
     "goes on.  When every subject fails nothing is written (exit 2).  A summary (subjects "
     "ok/failed, wall time, subjects/s, band memory) ends on stderr.  Without any iiv the "
     "subjects are identical, and a note says so.\n\n"
     "MPI (a build with MPI): 'mpirun -n K immunosim population ...' gives each rank a contiguous "
     "share of the subjects; rank 0 receives the per-subject rows in order and the bands "
     "(histograms summed as integer counts; exact bands gathered) and writes every file, "
     "bit-identical to one process for any K and --threads.  Memory: histogram bands take at "
     "most bins x times x columns on every rank whatever N; exact bands N x times x columns x 8 "
     "bytes on rank 0 (within --bands-mem) and their share on the others; each rank other than 0 "
     "keeps its subjects' per-subject results (about 8 bytes per value of a row) until rank 0 "
     "takes them.  A rank that dies ends the job with an error and no output.",
     "immunosim population pk2cmt -p blinatumomab_clements2020 -s blinatumomab_cycle1 \\\n"
     "  -n 1000 --seed 2024 --threads 2 -t 28 --dt 0.25 --units C1=pg/mL \\\n"
     "  --per-subject blina_subjects.csv -o blina_bands.csv\n",
     1, 1, "MODEL", cmd_population, 0},
    {"merge", "combine population shards into the unsharded run's bands or per-subject file",
     "SHARD.csv [SHARD.csv ...] [-o OUT.csv]",
     "Combine the shards of one population run (each run over a range of subjects A:B: Slurm "
     "job arrays, Kubernetes jobs, GNU parallel; see 'immunosim population --help') into "
     "exactly the file the unsharded run writes: bands shards (histogram counts, or the values "
     "when the whole run's bands are exact) become the percentile bands, per-subject shards the "
     "per-subject table.  Shards may come in any order; give the shards of one kind at a time.",
     "Shards of different runs are refused: every metadata line must agree (model, parameter "
     "files and their checksums, overrides, schedule and doses, solver options, output times, "
     "N, seed, iiv, columns and units).  Missing and overlapping subject ranges are named.  "
     "Each shard file is read whole (at most 128 MB: use more shards for more subjects).",
     "immunosim population pk2cmt -n 1000 --subjects 0:500 -o b0.csv --per-subject s0.csv\n"
     "immunosim population pk2cmt -n 1000 --subjects 500:1000 -o b1.csv --per-subject s1.csv\n"
     "immunosim merge b0.csv b1.csv -o bands.csv\n"
     "immunosim merge s0.csv s1.csv -o subjects.csv\n",
     1, CLI_MAX_POS, "SHARD", cmd_merge, 0},
    {"equilibria", "equilibria in a box, eigenvalues, type; nullclines", "MODEL [options]",
     "Every equilibrium of MODEL in a box of states: the state, the eigenvalues of the Jacobian "
     "(the model's, or central differences) and the type (stable or unstable node or focus, "
     "saddle, saddle-focus, centre, non-hyperbolic).  Boundary equilibria (a state at exactly 0) "
     "are included.  The table goes to standard output; -o writes it as CSV.  With --plane X,Y: "
     "the nullclines and the direction field of a phase plane.",
     "A box without an equilibrium says so and exits 0.  Method, tolerances and the default box: "
     "README 'Dynamics'.  Every output (-o, --nullclines, --field) is written together or not at "
     "all.",
     "immunosim equilibria kuznetsov1994\n"
     "immunosim equilibria kirschner_panetta1998 --set c=0.04 -o kp_eq.csv\n"
     "immunosim equilibria kuznetsov1994 --plane E,T --logx --logy --xrange 1e4:1e7 \\\n"
     "  --yrange 1e5:1e9 --nullclines kz_nc.csv --field kz_field.csv\n",
     1, 1, "MODEL", cmd_equilibria, 0},
    {"continue", "equilibrium branches over a parameter: folds, Hopf points, orbits",
     "MODEL --par NAME=A:B [options]",
     "Equilibrium branches of MODEL over the parameter NAME from A to B by pseudo-arclength "
     "continuation: every equilibrium in the box at A (and any at B that no branch reached) "
     "starts a branch; branches follow folds and stop at the box or the end of the range.  Each "
     "point carries its stability and type; folds (saddle-node), branch points and Hopf points "
     "are located and labelled.  The labelled points go to standard output; -o writes every "
     "point as CSV.  With --orbits STATE, also the orbit diagram, by simulation.",
     "Method and tolerances: README 'Dynamics'.  Near a Hopf point the approach to a focus is "
     "slow: a short --transient shows the damped oscillation as many orbit rows.",
     "immunosim continue kuznetsov1994 --par d=0.01:0.1 -o kz_d.csv\n"
     "immunosim continue kirschner_panetta1998 --par c=0.005:0.05 -o kp_c.csv\n"
     "immunosim continue kirschner_panetta1998 --par c=0.02:0.05 --orbits T --npar 4 \\\n"
     "  --transient 6000 --window 1500 -o kp_orbits.csv\n",
     1, 1, "MODEL", cmd_continue, 0},
    {"translate", "write a model file as C source in the model contract",
     "FILE.model [-o OUT.c] [--no-unit-check]",
     "Write the model of FILE.model as C source in the model.h contract: tables of states, "
     "parameters and outputs, and rhs, Jacobian and output functions with the same operations, "
     "in the same order, as the compiled model file, so it gives the same results.  It builds "
     "under -Wall -Wextra -Werror; list its const ims_model_NAME in models/registry.c to make "
     "the model a built-in.",
     NULL, "immunosim translate models/kuznetsov1994.model -o kuznetsov_file.c\n", 1, 1,
     "FILE.model", cmd_translate, 0},
    {"export", "write a model as SBML Level 3 Version 2",
     "MODEL|FILE.model|FILE.xml -o OUT.xml [-p FILE] [--set NAME=VALUE]",
     "Write the model as SBML Level 3 Version 2 core: states as species (amounts: a "
     "substance, a mass or a count) or as parameters with rate rules, parameters with their "
     "units as unit definitions, intermediates and outputs as assignment rules, the citation "
     "in the notes.  libsbml validates the document before it is written, and importing it "
     "gives the same model.  The values written are the model's, or those of -p and --set.",
     "A built-in model is written from its model file (models/MODEL.model), which the tests "
     "hold to the built-in's results; a built-in without one has no expression form and is "
     "refused.  A built-in's extinction rule becomes one event per state.",
     "immunosim export kuznetsov1994 -o kuznetsov1994.xml\n"
     "immunosim export pk2cmt -p pembrolizumab_ahamadi2017 -o pembrolizumab.xml\n",
     1, 1, "MODEL", cmd_export, 0},
    {"_doc", "generated documents: _doc help CMD | man | bash | options", "man|bash|options",
     "Print the man page, the bash completion or the option table, generated from the option "
     "table (for make install and the tests).",
     NULL, "immunosim _doc man > immunosim.1\n", 1, 2, "WHAT", cmd_doc, 1},
};
const int cli_ncmds = (int)(sizeof cli_cmds / sizeof *cli_cmds);
