// Plain, readable on a laptop, visible keyboard focus, no web fonts or scripts.
#include "web/style.hpp"

namespace aup::web {

const char* const kStyleSheet = R"css(
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de;
  --accent: #0b5cad; --danger: #b42318; --mark: #fff1a8; --band: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1.2rem;
  background: #12324f; color: #fff; }
header a { color: #fff; }
.brand { font-weight: 600; text-decoration: none; margin-right: 1rem; }
nav a { margin-right: .9rem; }
nav a[aria-current="page"] { font-weight: 600; text-decoration-thickness: 3px; }
.account { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
main { padding: 1rem 1.2rem 3rem; max-width: 90rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th { background: var(--band); white-space: nowrap; overflow-wrap: normal; }
td:first-child { white-space: nowrap; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
pre.message-text { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--band);
  border: 1px solid var(--line); padding: .7rem; max-height: 40rem; overflow: auto; }
mark { background: var(--mark); outline: 1px solid #c9a800; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; padding: .7rem;
  background: var(--band); border: 1px solid var(--line); }
.filters label, .login label { display: flex; flex-direction: column; font-size: .85rem;
  color: var(--muted); }
input, select, textarea, button { font: inherit; padding: .3rem .45rem; }
textarea { width: 100%; max-width: 40rem; display: block; }
button, .button { display: inline-block; background: var(--accent); color: #fff; border: 0;
  border-radius: 4px; padding: .4rem .9rem; text-decoration: none; cursor: pointer; }
.danger { background: var(--danger); }
ul.actions { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .6rem; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible,
textarea:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.login { display: flex; flex-direction: column; gap: .6rem; max-width: 22rem; }
.error { color: var(--danger); font-weight: 600; }
.notice { border-left: 4px solid var(--accent); background: var(--band); padding: .6rem .8rem; }
.pager { margin-top: .6rem; }
.count { color: var(--muted); }
)css";

}  // namespace aup::web
