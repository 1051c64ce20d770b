/*
 * html_page.c - the page around the sections: head with a Content
 * Security Policy that forbids every fetch and every script, inline CSS
 * (responsive to phone width, print rules for paper), a header with the
 * run metadata and alert badges, a table of contents, then the sections
 * in the model's order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

/* A section name; "" for a null or non-string (any JSON reaches here). */
static const char *h_secname(json_object *o)
{
  const char *s = json_object_get_string(o);

  return s ? s : "";
}

static const char css[] =
    ":root{--fg:#1b1f24;--dim:#5b6570;--bg:#fff;--card:#f6f8fa;--line:#d0d7de;"
    "--ok:#2da44e;--warn:#d4a72c;--bad:#cf222e;--info:#0969da}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',"
    "sans-serif;color:var(--fg);background:var(--bg)}\n"
    "header,main{max-width:1200px;margin:0 auto;padding:12px 16px}\n"
    "header{border-bottom:1px solid var(--line)}\n"
    "h1{font-size:1.35rem;margin:.2rem 0}\n"
    "h2{display:inline;font-size:1.15rem;margin:0}\n"
    "h3{font-size:1rem;margin:.4rem 0}\n"
    ".dim,.note{color:var(--dim)}\n"
    ".note{font-style:italic}\n"
    ".meta{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;color:var(--dim)}\n"
    ".badges{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}\n"
    ".badge{display:inline-block;padding:.1rem .55rem;border-radius:1rem;"
    "font-size:.85rem;color:#fff;background:var(--dim)}\n"
    ".badge.sev-critical,.sev-critical{background:var(--bad);fill:var(--bad)}"
    "\n.badge.sev-warning,.sev-warning{background:var(--warn);fill:var(--warn)"
    ";color:#1b1f24}\n"
    ".badge.sev-info,.sev-info{background:var(--info);fill:var(--info)}\n"
    ".badge.quiet{background:var(--ok)}\n"
    "nav{display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.9rem}\n"
    "nav a{color:var(--info)}\n"
    "details.sec{border-top:1px solid var(--line);padding:.6rem 0}\n"
    "details.sec>summary{cursor:pointer;list-style:none}\n"
    "details.sec>summary::before{content:'\\25B8';display:inline-block;"
    "width:1.2rem;color:var(--dim)}\n"
    "details.sec[open]>summary::before{content:'\\25BE'}\n"
    ".card{background:var(--card);border-radius:6px;padding:.5rem .8rem;"
    "margin:.6rem 0}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;font-size:.9rem;width:100%}\n"
    "th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid "
    "var(--line);vertical-align:top}\n"
    "td{overflow-wrap:anywhere}\n"
    "th.r,td.r{text-align:right;font-variant-numeric:tabular-nums}\n"
    /* a number, a unit heading or a badge never breaks: a table too wide
     * scrolls in its own box */
    "th.r,td.r,.badge{white-space:nowrap;overflow-wrap:normal}\n"
    "td.warn{color:#9a6700}td.bad{color:var(--bad);font-weight:600}\n"
    ".nowrap{white-space:nowrap}\n"
    "svg.chart{width:100%;height:auto;display:block}\n"
    "svg .grid{stroke:var(--line);stroke-width:1}\n"
    "svg .axis{stroke:var(--dim);stroke-width:1}\n"
    "svg .ax{font-size:11px;fill:var(--dim)}\n"
    "svg .band{opacity:.22}\n"
    "svg .p50{fill:none;stroke-width:1.6}\n"
    "svg .loss{fill:var(--bad)}\n"
    "svg .failed{fill:#57606a;opacity:.6}\n"
    "svg .dot,.legend i.dot{fill:#6e40c9;background:#6e40c9;"
    "border-radius:50%}\n"
    "svg.hops{width:100%;height:auto;display:block}\n"
    "svg .node{stroke:#8c959f;stroke-width:1}\n"
    "svg .n-ok{fill:#dafbe1}svg .n-warn{fill:#fff8c5}svg .n-bad{fill:#ffebe9}"
    "svg .n-none{fill:#eaeef2}\n"
    "svg .node.changed{stroke:#8250df;stroke-width:2.5;stroke-dasharray:5 "
    "3}"
    "\n"
    "svg .addr{font-size:12px;font-weight:600;fill:var(--fg)}\n"
    "svg .band-link{fill:none;stroke:#57606a;opacity:.25}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.85rem}\n"
    ".legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:"
    ".3rem;vertical-align:-1px}\n"
    "ul.changes{padding-left:1.2rem}\n"
    "code{font-size:.88em}\n"
    "footer{max-width:1200px;margin:0 auto;padding:12px 16px;color:var(--dim);"
    "font-size:.8rem}\n"
    "@media (max-width:600px){body{font-size:14px}header,main{padding:8px}"
    "th,td{padding:.2rem .3rem}.card{padding:.4rem}"
    /* phones: chart text at least 10 px as shown (the 800-unit viewBox
     * is drawn about 370 px wide), every other time tick; alerts as
     * stacked cards whose message has the whole width */
    "svg.chart .ax{font-size:24px}svg.chart .ax.alt{display:none}"
    "table.stack thead{display:none}table.stack tr{display:block;"
    "border-bottom:1px solid var(--line);padding:.3rem 0}"
    "table.stack td{display:inline-block;border:0;padding:.1rem .4rem .1rem 0}"
    "table.stack td.msg{display:block}}\n"
    "@media print{body{font-size:11px}nav{display:none}"
    "details.sec>summary::before{content:''}"
    ".card,details.sec,svg{break-inside:avoid}"
    ".scroll{overflow:visible}a{color:inherit;text-decoration:none}}\n";

static const struct {
  const char *id, *title;
} toc[] = {{"alerts", "Alerts"},          {"episodes", "Episodes"},
           {"summary", "Targets"},        {"latency", "Latency"},
           {"jitter", "Jitter"},          {"cdf", "Distribution"},
           {"speedtests", "Speed tests"}, {"paths", "Paths"}};

static void badges(FILE *f, json_object *m)
{
  json_object *c = h_get(h_get(m, "alerts"), "counts");
  double crit = h_num(c, "critical"), warn = h_num(c, "warning"),
         info = h_num(c, "info");

  fputs("<div class=\"badges\">", f);
  if (crit > 0)
    fprintf(f, "<span class=\"badge sev-critical\">%.0f critical</span>",
            crit);
  if (warn > 0)
    fprintf(f, "<span class=\"badge sev-warning\">%.0f warning</span>", warn);
  if (info > 0)
    fprintf(f, "<span class=\"badge sev-info\">%.0f info</span>", info);
  if (!(crit > 0) && !(warn > 0) && !(info > 0))
    fputs("<span class=\"badge quiet\">no alerts</span>", f);
  fputs("</div>\n", f);
}

const char *h_paper(const char *opt)
{
  static const char *const letter[] = {"US", "CA", "MX", "CL", "CO",
                                       "CR", "GT", "NI", "PA", "SV",
                                       "PR", "VE", "PH", NULL};
  static const char *const vars[] = {"LC_ALL", "LC_PAPER", "LANG", NULL};
  const char *loc = NULL, *u;
  size_t i;

  if (opt && !strcasecmp(opt, "a4"))
    return "A4";
  if (opt && !strcasecmp(opt, "letter"))
    return "letter";
  if (!opt || strcasecmp(opt, "auto") != 0)
    return NULL;
  for (i = 0; vars[i] && !loc; i++) {
    const char *v = getenv(vars[i]);

    if (v && *v)
      loc = v;
  }
  /* language_TERRITORY[.codeset][@modifier] */
  u = loc ? strchr(loc, '_') : NULL;
  for (i = 0; u && letter[i]; i++)
    if (!strncmp(u + 1, letter[i], 2) &&
        (u[3] == 0 || u[3] == '.' || u[3] == '@'))
      return "letter";
  return "A4";
}

int h_page_write(FILE *f, json_object *m, const char *paper)
{
  json_object *meta = h_get(m, "meta"), *sections = h_get(m, "sections");
  const char *preset = h_str(meta, "preset");
  h_page p;
  size_t i, j;

  memset(&p, 0, sizeof(p));
  p.compact = preset && !strcmp(preset, "compact");
  p.ops = preset && !strcmp(preset, "ops");
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
        "charset=\"utf-8\">\n<meta name=\"viewport\" "
        "content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
        "'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>"
        "Bottleneck report: ",
        f);
  h_esc(f, h_str(meta, "profile") ? h_str(meta, "profile") : "report");
  fputs("</title>\n<style>\n", f);
  fputs(css, f);
  if (paper)
    fprintf(f, "@page{size:%s;margin:12mm}\n", paper);
  fputs("</style>\n</head>\n<body>\n<header>\n<h1>Bottleneck report: ", f);
  h_esc(f, h_str(meta, "profile") ? h_str(meta, "profile") : "-");
  fputs("</h1>\n<div class=\"meta\"><span>host ", f);
  h_esc(f, h_str(meta, "host") ? h_str(meta, "host") : "-");
  fputs("</span><span>", f);
  h_when(f, h_str(meta, "since"));
  fputs(" → ", f);
  h_when(f, h_str(meta, "until"));
  fprintf(f, " UTC</span><span>%zu run%s</span><span>preset ",
          h_len(h_get(meta, "runs")),
          h_len(h_get(meta, "runs")) == 1 ? "" : "s");
  h_esc(f, preset ? preset : "full");
  fputs("</span>", f);
  {
    /* data over a small part of the range: say so (charts fit it) */
    double a = h_num(meta, "data_since_s"), b = h_num(meta, "data_until_s"),
           r0 = h_num(meta, "since_s"), r1 = h_num(meta, "until_s");
    char ba[32], bb[32];

    if (isfinite(a) && isfinite(b) && b - a < 0.9 * (r1 - r0)) {
      h_tick_time(ba, sizeof(ba), a, b - a);
      h_tick_time(bb, sizeof(bb), b, b - a);
      fprintf(f,
              "<span class=\"data-span\">data only %s → %s UTC; charts "
              "show that span</span>",
              ba, bb);
    }
  }
  if (json_object_get_boolean(h_get(meta, "redacted")))
    fputs("<span>names and addresses redacted</span>", f);
  fputs("</div>\n", f);
  badges(f, m);
  fputs("<nav>", f);
  for (i = 0; i < h_len(sections); i++)
    for (j = 0; j < sizeof(toc) / sizeof(toc[0]); j++)
      if (!strcmp(h_secname(h_at(sections, i)), toc[j].id))
        fprintf(f, "<a href=\"#%s\">%s</a>", toc[j].id, toc[j].title);
  fputs("</nav>\n</header>\n<main>\n", f);
  for (i = 0; i < h_len(sections); i++) {
    const char *s = h_secname(h_at(sections, i));

    if (!strcmp(s, "alerts"))
      h_sec_alerts(f, m, &p);
    else if (!strcmp(s, "episodes"))
      h_sec_episodes(f, m, &p);
    else if (!strcmp(s, "summary"))
      h_sec_summary(f, m, &p);
    else if (!strcmp(s, "latency"))
      h_sec_latency(f, m, &p);
    else if (!strcmp(s, "jitter"))
      h_sec_jitter(f, m, &p);
    else if (!strcmp(s, "cdf"))
      h_sec_cdf(f, m, &p);
    else if (!strcmp(s, "speedtests"))
      h_sec_speedtests(f, m, &p);
    else if (!strcmp(s, "paths"))
      h_sec_paths(f, m, &p);
  }
  fputs("</main>\n<footer>", f);
  h_esc(f, h_str(meta, "generator"));
  fputs(", generated ", f);
  h_when(f, h_str(meta, "generated"));
  fputs(" UTC</footer>\n</body>\n</html>\n", f);
  return ferror(f) ? -1 : 0;
}
