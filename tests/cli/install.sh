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
chk test -s "$pre/share/bash-completion/completions/immunosim"
# the model files are installed beside the data and run from there
chk "$pre/bin/immunosim" run "$pre/share/immunosim/models/kuznetsov1994.model" -t 10 -o "$pre/kz.csv"
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
exit $fail
