/*
 * html_paths.c - the path view: per target, the hops of every round in
 * range as layers (one column per ttl, one box per address, its height
 * the share of rounds it answered in), joined by bands as wide as how
 * often one address followed another (Sankey-like).  Each box shows its
 * mean RTT and loss and is coloured by loss; addresses involved in a
 * path change are outlined and the changes are listed under the view.
 */
#include <math.h>
#include <string.h>

#include "html.h"

#define COL_W 190 /* column pitch */
#define BOX_W 150
#define ROW_H 64 /* height for a node seen in every round */
#define TOP   26

typedef struct node_pos {
  const char *addr;
  int ttl;
  double x, y, h;
  double used_out, used_in; /* band offsets already taken */
} node_pos;

static const char *loss_class(double loss)
{
  if (!isfinite(loss))
    return "n-none";
  return loss >= 50 ? "n-bad" : loss > 0 ? "n-warn" : "n-ok";
}

static int changed(json_object *changes, const char *addr)
{
  size_t i;

  for (i = 0; addr && i < h_len(changes); i++) {
    const char *o = h_str(h_at(changes, i), "old_addr"),
               *n = h_str(h_at(changes, i), "new_addr");

    if ((o && !strcmp(o, addr)) || (n && !strcmp(n, addr)))
      return 1;
  }
  return 0;
}

static node_pos *find(node_pos *np, size_t n, int ttl, const char *addr)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (np[i].ttl == ttl && np[i].addr && addr && !strcmp(np[i].addr, addr))
      return &np[i];
  return NULL;
}

static void hop_view(FILE *f, json_object *t)
{
  json_object *layers = h_get(t, "layers"), *links = h_get(t, "links"),
              *changes = h_get(t, "changes");
  double rounds = h_num(t, "rounds"), maxh = 0;
  size_t nl = h_len(layers), nn = 0, i, j, k = 0;
  node_pos np[512];
  int w, hgt;

  if (!(rounds > 0))
    rounds = 1;
  /* place the boxes */
  for (i = 0; i < nl; i++) {
    json_object *nodes = h_get(h_at(layers, i), "nodes");
    double y = TOP;

    for (j = 0; j < h_len(nodes) && nn < 512; j++) {
      json_object *n = h_at(nodes, j);
      double share = h_num(n, "seen") / rounds;

      np[nn].addr = h_str(n, "addr");
      np[nn].ttl = (int)h_num(h_at(layers, i), "ttl");
      np[nn].x = 10 + (double)i * COL_W;
      np[nn].y = y;
      np[nn].h = 26 + ROW_H * (share > 1 ? 1 : share);
      np[nn].used_in = np[nn].used_out = 0;
      y += np[nn].h + 14;
      nn++;
    }
    maxh = y > maxh ? y : maxh;
  }
  w = (int)(20 + (double)nl * COL_W);
  hgt = (int)maxh + 10;
  fprintf(f,
          "<div class=\"scroll\"><svg class=\"hops\" viewBox=\"0 0 %d %d\" "
          "style=\"min-width:%dpx\" role=\"img\" aria-label=\"hop view\">\n",
          w, hgt, w * 10 / 11); /* 11-unit text: 10 px at least */
  for (i = 0; i < nl; i++)
    fprintf(f, "<text class=\"ax\" x=\"%.1f\" y=\"16\">hop %.0f</text>\n",
            10 + (double)i * COL_W, h_num(h_at(layers, i), "ttl"));
  /* the bands first, under the boxes */
  for (i = 0; i < h_len(links); i++) {
    json_object *l = h_at(links, i);
    int ttl = (int)h_num(l, "ttl");
    node_pos *a = find(np, nn, ttl, h_str(l, "from")),
             *b = find(np, nn, ttl + 1, h_str(l, "to"));
    double bw = ROW_H * h_num(l, "count") / rounds, x0, x1, ya, yb;

    if (!a || !b)
      continue;
    if (bw < 2)
      bw = 2;
    x0 = a->x + BOX_W;
    x1 = b->x;
    ya = a->y + 13 + a->used_out + bw / 2;
    yb = b->y + 13 + b->used_in + bw / 2;
    a->used_out += bw;
    b->used_in += bw;
    fprintf(f,
            "<path class=\"band-link\" stroke-width=\"%.1f\" d=\"M%.1f %.1f "
            "C%.1f %.1f %.1f %.1f %.1f %.1f\"><title>%.0f rounds</title>"
            "</path>\n",
            bw, x0, ya, (x0 + x1) / 2, ya, (x0 + x1) / 2, yb, x1, yb,
            h_num(l, "count"));
  }
  /* the boxes */
  for (i = 0; i < nl; i++) {
    json_object *nodes = h_get(h_at(layers, i), "nodes");

    for (j = 0; j < h_len(nodes) && k < nn; j++, k++) {
      json_object *n = h_at(nodes, j);
      node_pos *p = &np[k];
      double loss = h_num(n, "loss_pct");
      int ch = changed(changes, p->addr);

      fprintf(f,
              "<g><rect class=\"node %s%s\" x=\"%.1f\" y=\"%.1f\" "
              "width=\"%d\" height=\"%.1f\" rx=\"4\"/>",
              loss_class(loss), ch ? " changed" : "", p->x, p->y, BOX_W, p->h);
      fprintf(f, "<text class=\"addr\" x=\"%.1f\" y=\"%.1f\">", p->x + 6,
              p->y + 14);
      h_esc(f, p->addr ? p->addr : "no answer");
      fprintf(f, "</text><text class=\"ax\" x=\"%.1f\" y=\"%.1f\">", p->x + 6,
              p->y + 26);
      h_numf(f, h_num(n, "avg_ms"), 2);
      fputs(" ms · ", f);
      h_numf(f, loss, 0);
      fputs("% loss", f);
      if (ch)
        fputs(" · changed", f);
      fputs("</text><title>", f);
      h_esc(f, p->addr ? p->addr : "no answer");
      fprintf(f, ": seen in %.0f of %.0f rounds</title></g>\n",
              h_num(n, "seen"), rounds);
    }
  }
  fputs("</svg></div>\n", f);
}

static void change_list(FILE *f, json_object *changes, size_t max)
{
  size_t n = h_len(changes), i;

  if (!n) {
    fputs("<p class=\"note\">no path changes in this range</p>\n", f);
    return;
  }
  fprintf(f, "<h4>%zu path change%s%s</h4><ul class=\"changes\">\n", n,
          n == 1 ? "" : "s", n > max ? " (the latest shown)" : "");
  for (i = n > max ? n - max : 0; i < n; i++) {
    json_object *c = h_at(changes, i);
    const char *kind = h_str(c, "kind");

    fputs("<li><span class=\"nowrap\">", f);
    h_when(f, h_str(c, "time"));
    fputs("</span> ", f);
    if (kind && !strcmp(kind, "set")) {
      fprintf(f, "the set of paths changed (%.0f → %.0f distinct)",
              h_num(c, "old_paths"), h_num(c, "new_paths"));
    } else if (kind && !strcmp(kind, "rtt_shift")) {
      fprintf(f, "hop %.0f (", h_num(c, "ttl"));
      h_esc(f, h_str(c, "new_addr"));
      fputs(") RTT ", f);
      h_numf(f, h_num(c, "old_rtt_ms"), 2);
      fputs(" → ", f);
      h_numf(f, h_num(c, "new_rtt_ms"), 2);
      fputs(" ms", f);
    } else {
      fprintf(f, "hop %.0f ", h_num(c, "ttl"));
      h_esc(f, kind);
      fputs(" <code>", f);
      h_esc(f, h_str(c, "old_addr") ? h_str(c, "old_addr") : "-");
      fputs("</code> → <code>", f);
      h_esc(f, h_str(c, "new_addr") ? h_str(c, "new_addr") : "-");
      fputs("</code>", f);
    }
    fputs("</li>\n", f);
  }
  fputs("</ul>\n", f);
}

void h_sec_paths(FILE *f, json_object *m, const h_page *p)
{
  json_object *sec = h_get(m, "paths"), *targets = h_get(sec, "targets");
  size_t i;

  h_sec_open(f, "paths", "Paths", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  fputs("<p class=\"dim\">each column is a hop; box height: share of rounds "
        "the address answered in; colour: loss (green none, amber some, red "
        "half or more); outlined: involved in a path change</p>\n",
        f);
  for (i = 0; i < h_len(targets); i++) {
    json_object *t = h_at(targets, i);

    fputs("<div class=\"card\"><h3>", f);
    h_esc(f, h_str(t, "target"));
    fputs(" <span class=\"dim\">", f);
    h_esc(f, h_str(t, "probe"));
    fputs(", ", f);
    h_esc(f, h_str(t, "mode") ? h_str(t, "mode") : "-");
    fprintf(f, ", %.0f rounds</span></h3>\n", h_num(t, "rounds"));
    hop_view(f, t);
    change_list(f, h_get(t, "changes"), p->compact ? 5 : 50);
    fputs("</div>\n", f);
  }
  h_sec_close(f);
}
