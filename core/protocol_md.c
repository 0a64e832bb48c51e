/*
 * protocol_md: the protocol's Markdown writer (CommonMark with GitHub tables). Every text
 * from the data is escaped so it reads as itself: Markdown and HTML syntax characters get
 * a backslash, line breaks inside a cell or a list item become <br>.
 */
#include "protocol_internal.h"

#include <string.h>

/* Appends s escaped; a line break becomes `newline`. */
static int md_text(sbuf *out, const char *s, const char *newline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if (*p == '\n')
            rc = sbuf_adds(out, newline);
        else if (*p == '\r')
            rc = 0;
        else if (*p < 0x20 || *p == 0x7f)
            rc = sbuf_adds(out, " ");
        else if (strchr("\\`*_[]<>|#~", *p) ||
                 (*p == '&' && (p[1] == '#' || (unsigned)((p[1] | 0x20) - 'a') < 26u)))
            rc = sbuf_printf(out, "\\%c", *p);
        else
            rc = sbuf_add(out, (const char *)p, 1);
        if (rc)
            return -1;
    }
    return 0;
}

/* True when s can go between backticks as it is: a code span does not read escapes. */
static int md_plain_code(const char *s)
{
    return *s &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:/+ ") ==
               strlen(s);
}

/* A cell or field value: missing values in italics, failures and warnings in bold. */
static int md_cell(sbuf *out, pcell c)
{
    const char *wrap = c.style == PS_MISSING                      ? "*"
                       : c.style == PS_FAIL || c.style == PS_WARN ? "**"
                                                                  : "";
    if (c.style == PS_CODE && md_plain_code(c.text))
        return sbuf_printf(out, "`%s`", c.text);
    return sbuf_adds(out, wrap) || sbuf_adds(out, protocol_marker(c.style)) ||
           md_text(out, c.text, "<br>") || sbuf_adds(out, wrap);
}

static int md_begin(pwriter *w, const char *title)
{
    (void)w;
    (void)title;
    return 0;
}

static int md_heading(pwriter *w, int level, const char *text)
{
    return sbuf_printf(w->out, "%.*s ",
                       level < 1   ? 1
                       : level > 6 ? 6
                                   : level,
                       "######") ||
           md_text(w->out, text, " ") || sbuf_adds(w->out, "\n\n");
}

static int md_para(pwriter *w, pcell text)
{
    return md_cell(w->out, text) || sbuf_adds(w->out, "\n\n");
}

static int md_fields_begin(pwriter *w)
{
    (void)w;
    return 0;
}

static int md_field(pwriter *w, const char *label, pcell value)
{
    return sbuf_adds(w->out, "- **") || md_text(w->out, label, " ") || sbuf_adds(w->out, ":** ") ||
           md_cell(w->out, value) || sbuf_adds(w->out, "\n");
}

static int md_block_end(pwriter *w)
{
    return sbuf_adds(w->out, "\n");
}

static int md_table_begin(pwriter *w, size_t ncols, const char *const *head, const unsigned *width)
{
    (void)width;
    w->ncols = ncols;
    for (size_t i = 0; i < ncols; i++)
        if (sbuf_adds(w->out, "| ") || md_text(w->out, head[i], " ") || sbuf_adds(w->out, " "))
            return -1;
    if (sbuf_adds(w->out, "|\n"))
        return -1;
    for (size_t i = 0; i < ncols; i++)
        if (sbuf_adds(w->out, "|---"))
            return -1;
    return sbuf_adds(w->out, "|\n");
}

static int md_row(pwriter *w, const pcell *cells, pstyle mark)
{
    (void)mark;
    for (size_t i = 0; i < w->ncols; i++)
        if (sbuf_adds(w->out, "| ") || md_cell(w->out, cells[i]) || sbuf_adds(w->out, " "))
            return -1;
    return sbuf_adds(w->out, "|\n");
}

/* Ends the document with exactly one line break. */
static int md_end(pwriter *w)
{
    while (w->out->len > 1 && w->out->data[w->out->len - 1] == '\n' &&
           w->out->data[w->out->len - 2] == '\n')
        w->out->data[--w->out->len] = '\0';
    return 0;
}

const pwriter_ops PROTOCOL_MD = {
    .begin = md_begin,
    .heading = md_heading,
    .para = md_para,
    .fields_begin = md_fields_begin,
    .field = md_field,
    .fields_end = md_block_end,
    .table_begin = md_table_begin,
    .row = md_row,
    .table_end = md_block_end,
    .end = md_end,
};
