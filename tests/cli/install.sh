#!/usr/bin/env bash
# make check-install: install into a temporary prefix, then use the installed binary, data,
# library, headers, pkg-config file and completion from outside the source tree.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
pre=$(mktemp -d)
trap 'rm -rf "$pre"' EXIT
make -s -C "$src" install PREFIX="$pre" >/dev/null
cd /
unset IMMUNOSIM_DATA
fail=0
chk() { if "$@"; then echo "ok: $*" | cut -c1-100; else echo "FAIL: $*"; fail=1; fi; }
# the binary finds params/ (default sets, bare schedule names) and plots/ beside itself
chk "$pre/bin/immunosim" run hardiansyah2019 -s hardiansyah_upn1_split -t 5 -o "$pre/h.csv"
chk grep -q "params: $pre/share/immunosim/params/hardiansyah2019/upn1.csv" "$pre/h.csv"
if command -v gnuplot >/dev/null; then
  chk "$pre/bin/immunosim" plot "$pre/h.csv" --y IL6 -o "$pre/h.png"
fi
# the dynamics commands find the shipped sets too
chk "$pre/bin/immunosim" equilibria kuznetsov1994 -o "$pre/kz.csv"
chk grep -q "params: $pre/share/immunosim/params/kuznetsov1994/bcl1.csv" "$pre/kz.csv"
chk test -s "$pre/share/bash-completion/completions/immunosim"
# the model files are installed beside the data and run from there
chk "$pre/bin/immunosim" run "$pre/share/immunosim/models/kuznetsov1994.model" -t 10 -o "$pre/kz.csv"
# ... with their documentation, and the curated SBML behind dwivedi2014 as a file, not a link
chk test -s "$pre/share/immunosim/models/kuznetsov1994.md"
chk test ! -L "$pre/share/immunosim/models/dwivedi2014.xml"
chk "$pre/bin/immunosim" info "$pre/share/immunosim/models/dwivedi2014.xml"
# the man page covers every command
chk test -s "$pre/share/man/man1/immunosim.1"
for c in run list info compare sweep sensitivity plot population equilibria continue; do
  chk grep -q "^\.SS $c\$" "$pre/share/man/man1/immunosim.1"
done
if command -v man >/dev/null; then
  chk sh -c "MANPATH='$pre/share/man' man -P cat immunosim 2>/dev/null | grep -q 'immunosim run'"
fi
# a program built against the installed library through pkg-config
cat >"$pre/t.c" <<'C'
#include <immunosim/immunosim.h>
#include <stdio.h>
int main(void)
{
  const ims_model_t *m = ims_model_find("stein2019");
  ims_units_t *u;
  ims_params_t *p;
  ims_sim_t *s;
  ims_err_t err;
  if (!m || ims_units_alloc(&u, &err) || ims_params_alloc(&p, m, &err) ||
      ims_params_set(p, u, "Cmax=24000", &err) || ims_params_set(p, u, "foldx=3900", &err) ||
      ims_params_set(p, u, "Tmax=9.3", &err) || ims_params_set(p, u, "alpha=0.16", &err) ||
      ims_params_set(p, u, "FB=0.0079", &err) || ims_params_set(p, u, "beta=0.0032", &err) ||
      ims_params_finish(p, &err) || ims_sim_alloc(&s, m, &err))
    return 1;
  ims_opts_t o;
  ims_opts_default(&o);
  double t[2] = {0, 9.3};
  if (ims_sim_run(s, p->value, NULL, &o, t, 2, NULL, &err))
    return 2;
  printf("%s ok\n", m->name);
  ims_sim_free(s);
  ims_params_free(p);
  ims_units_free(u);
  return 0;
}
C
export PKG_CONFIG_PATH="$pre/lib/pkgconfig"
chk cc -o "$pre/t" "$pre/t.c" $(pkg-config --cflags --libs immunosim) -Wl,-rpath,"$pre/lib"
chk "$pre/t"
# what 'immunosim run' does, through the library: ims_run_alloc + ims_run_write
cat >"$pre/r.c" <<'C'
#include <immunosim/immunosim.h>
#include <stdio.h>
int main(int argc, char **argv)
{
  ims_err_t err;
  ims_run_spec_t spec;
  ims_run_spec_init(&spec);
  spec.model = ims_model_find("pk2cmt");
  spec.datadir = argv[1];
  spec.schedule = "blinatumomab_cycle1";
  spec.tend = 42;
  ims_run_t *run = NULL;
  ims_outset_t *files = NULL;
  ims_run_out_t out = {.table = argv[2]};
  int rc = ims_run_alloc(&run, &spec, &err);
  rc = rc ? rc : ims_outset_alloc(&files, NULL, NULL, &err);
  rc = rc ? rc : ims_run_write(run, files, &out, &err);
  rc = rc ? rc : ims_outset_commit(files, &err);
  if (rc)
    fprintf(stderr, "%s\n", err.msg);
  ims_outset_free(files);
  ims_run_out_free(&out);
  ims_run_free(run);
  return rc ? 1 : 0;
}
C
chk cc -o "$pre/r" "$pre/r.c" $(pkg-config --cflags --libs immunosim) -Wl,-rpath,"$pre/lib"
chk "$pre/r" "$pre/share/immunosim" "$pre/r.csv"
"$pre/bin/immunosim" run pk2cmt -s blinatumomab_cycle1 -t 42 -o "$pre/c.csv"
chk cmp -s <(grep -v '^# params' "$pre/r.csv") <(grep -v '^# params' "$pre/c.csv")
# uninstall removes everything install wrote (only our test files remain)
make -s -C "$src" uninstall PREFIX="$pre" >/dev/null
left=$(cd "$pre" && find . -type f ! -name '*.c' ! -name '*.csv' ! -name '*.png' ! -name '*.gp' ! -name r ! -name t)
chk test -z "$left"
exit $fail
