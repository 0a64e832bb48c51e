/*
 * protocol_html: the protocol's HTML writer. One self-contained HTML5 page (inline CSS, no
 * scripts, no external resources, a Content-Security-Policy that forbids both) that prints
 * on A4: fixed table layouts that wrap long words, rows kept on one page, table heads
 * repeated. Outcomes carry a text label and a marker, so colour is never the only sign.
 * Every text from the data is escaped.
 */
#include "protocol_internal.h"

static const char CSS[] =
    "@page{size:A4;margin:16mm 14mm 18mm 14mm}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{font-family:\"Liberation Sans\",\"DejaVu Sans\",Arial,Helvetica,sans-serif;"
    "font-size:10pt;line-height:1.35;color:#111;margin:0 auto;max-width:182mm}\n"
    "@media screen{body{padding:10mm 6mm}}\n"
    "h1{font-size:16pt;margin:0 0 4pt}\n"
    "h2{font-size:13pt;margin:16pt 0 6pt;padding-bottom:2pt;border-bottom:1.5pt solid #333}\n"
    "h3{font-size:11pt;margin:10pt 0 4pt}\n"
    "h1,h2,h3{break-after:avoid;page-break-after:avoid}\n"
    "p{margin:0 0 6pt}\n"
    "table{width:100%;border-collapse:collapse;table-layout:fixed;margin:0 0 8pt}\n"
    "th,td{border:.5pt solid #777;padding:2.5pt 4pt;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere;word-wrap:break-word;hyphens:auto}\n"
    "thead{display:table-header-group}\n"
    "tr{break-inside:avoid;page-break-inside:avoid}\n"
    "thead th{background:#e6e6e6}\n"
    "table.data{font-size:8pt}\n"
    "table.fields th{width:30%;background:#f2f2f2;font-weight:normal}\n"
    "code{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;font-size:.92em}\n"
    ".missing{font-style:italic;color:#555}\n"
    ".note{color:#333;font-style:italic}\n"
    ".o-pass{color:#1b5e20}\n"
    ".o-fail{color:#a00000;font-weight:bold}\n"
    ".o-warn{color:#7a4500;font-weight:bold}\n"
    "tr.r-fail td{background:#fbe4e4}\n"
    "tr.r-fail td:first-child{border-left:3pt solid #a00000}\n"
    "tr.r-warn td{background:#fff3d9}\n"
    "tr.r-warn td:first-child{border-left:3pt dashed #7a4500}\n"
    "p.o-fail,p.o-warn{border:1pt solid;padding:3pt 5pt}\n";

/* Appends s with & < > " ' escaped, line breaks as <br> and other control characters as
 * spaces (they are not allowed in HTML text). */
static int html_text(sbuf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        switch (*p) {
        case '&':
            rc = sbuf_adds(out, "&amp;");
            break;
        case '<':
            rc = sbuf_adds(out, "&lt;");
            break;
        case '>':
            rc = sbuf_adds(out, "&gt;");
            break;
        case '"':
            rc = sbuf_adds(out, "&quot;");
            break;
        case '\'':
            rc = sbuf_adds(out, "&#39;");
            break;
        case '\n':
            rc = sbuf_adds(out, "<br>");
            break;
        case '\r':
            rc = 0;
            break;
        default:
            rc = *p < 0x20 || *p == 0x7f ? sbuf_adds(out, " ") : sbuf_add(out, (const char *)p, 1);
        }
        if (rc)
            return -1;
    }
    return 0;
}

/* The class of a style, "" for plain text. */
static const char *html_class(pstyle style)
{
    static const char *const CLASSES[] = {
        [PS_TEXT] = "",       [PS_CODE] = "",       [PS_MISSING] = "missing", [PS_PASS] = "o-pass",
        [PS_FAIL] = "o-fail", [PS_WARN] = "o-warn", [PS_NOTE] = "note"};
    return (unsigned)style < sizeof CLASSES / sizeof CLASSES[0] ? CLASSES[style] : "";
}

/* The text of a cell, field or paragraph, in a <span> or <code> that carries its style. */
static int html_cell(sbuf *out, pcell c)
{
    const char *cls = html_class(c.style);
    if (c.style == PS_CODE)
        return sbuf_adds(out, "<code>") || html_text(out, c.text) || sbuf_adds(out, "</code>");
    if (!*cls)
        return html_text(out, c.text);
    return sbuf_printf(out, "<span class=\"%s\">%s", cls, protocol_marker(c.style)) ||
           html_text(out, c.text) || sbuf_adds(out, "</span>");
}

static int html_begin(pwriter *w, const char *title)
{
    return sbuf_printf(w->out,
                       "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                       "'none'; style-src 'unsafe-inline'\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, "
                       "initial-scale=1\">\n<meta name=\"generator\" content=\"anbud\">\n"
                       "<title>",
                       w->lang == PLANG_NN ? "nn" : "nb") ||
           html_text(w->out, title) || sbuf_adds(w->out, "</title>\n<style>\n") ||
           sbuf_adds(w->out, CSS) || sbuf_adds(w->out, "</style>\n</head>\n<body>\n");
}

static int html_heading(pwriter *w, int level, const char *text)
{
    level = level < 1 ? 1 : level > 6 ? 6 : level;
    return sbuf_printf(w->out, "<h%d>", level) || html_text(w->out, text) ||
           sbuf_printf(w->out, "</h%d>\n", level);
}

static int html_para(pwriter *w, pcell text)
{
    const char *cls = html_class(text.style);
    int rc = *cls ? sbuf_printf(w->out, "<p class=\"%s\">%s", cls, protocol_marker(text.style))
                  : sbuf_adds(w->out, "<p>");
    return rc || html_text(w->out, text.text) || sbuf_adds(w->out, "</p>\n");
}

static int html_fields_begin(pwriter *w)
{
    return sbuf_adds(w->out, "<table class=\"fields\">\n<tbody>\n");
}

static int html_field(pwriter *w, const char *label, pcell value)
{
    return sbuf_adds(w->out, "<tr><th scope=\"row\">") || html_text(w->out, label) ||
           sbuf_adds(w->out, "</th><td>") || html_cell(w->out, value) ||
           sbuf_adds(w->out, "</td></tr>\n");
}

static int html_table_end(pwriter *w)
{
    return sbuf_adds(w->out, "</tbody>\n</table>\n");
}

static int html_table_begin(pwriter *w, size_t ncols, const char *const *head,
                            const unsigned *width)
{
    w->ncols = ncols;
    if (sbuf_adds(w->out, "<table class=\"data\">\n<colgroup>"))
        return -1;
    for (size_t i = 0; i < ncols; i++)
        if (sbuf_printf(w->out, "<col style=\"width:%u%%\">", width[i]))
            return -1;
    if (sbuf_adds(w->out, "</colgroup>\n<thead><tr>"))
        return -1;
    for (size_t i = 0; i < ncols; i++)
        if (sbuf_adds(w->out, "<th scope=\"col\">") || html_text(w->out, head[i]) ||
            sbuf_adds(w->out, "</th>"))
            return -1;
    return sbuf_adds(w->out, "</tr></thead>\n<tbody>\n");
}

static int html_row(pwriter *w, const pcell *cells, pstyle mark)
{
    const char *row = mark == PS_FAIL   ? " class=\"r-fail\""
                      : mark == PS_WARN ? " class=\"r-warn\""
                                        : "";
    if (sbuf_printf(w->out, "<tr%s>", row))
        return -1;
    for (size_t i = 0; i < w->ncols; i++)
        if (sbuf_adds(w->out, "<td>") || html_cell(w->out, cells[i]) || sbuf_adds(w->out, "</td>"))
            return -1;
    return sbuf_adds(w->out, "</tr>\n");
}

static int html_end(pwriter *w)
{
    return sbuf_adds(w->out, "</body>\n</html>\n");
}

const pwriter_ops PROTOCOL_HTML = {
    .begin = html_begin,
    .heading = html_heading,
    .para = html_para,
    .fields_begin = html_fields_begin,
    .field = html_field,
    .fields_end = html_table_end,
    .table_begin = html_table_begin,
    .row = html_row,
    .table_end = html_table_end,
    .end = html_end,
};
