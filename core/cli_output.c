/*
 * cli_output: verdicts as people read them. Works on the JSON process document
 * (report_process_json, store_show), so `check` and `show` print alike.
 */
#include <string.h>

#include "cli.h"

static const char *label(const char *name)
{
    static const char *const names[][2] = {{"pass", "PASS"}, {"fail", "FAIL"}, {"warn", "WARN"},
                                           {"info", "INFO"}, {"na", "NA"},     {"error", "ERROR"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name && strcmp(name, names[i][0]) == 0)
            return names[i][1];
    return "?";
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

void cli_print_process(FILE *f, const json_t *process, const char *language)
{
    int nn = language && strcmp(language, "nn") == 0;
    const json_t *results = json_object_get(process, "results");
    fprintf(f, "%s  (fase: %s, regelsett: %s)\n", str(process, "ocid"), str(process, "stage"),
            str(process, "ruleset"));
    size_t counts[OUTCOME_COUNT] = {0}, width = 0, i;
    const json_t *r;
    json_array_foreach(results, i, r)
    {
        if (strlen(str(r, "rule")) > width)
            width = strlen(str(r, "rule"));
    }
    json_array_foreach(results, i, r)
    {
        int o = outcome_parse(str(r, "outcome"));
        if (o >= 0)
            counts[o]++;
        fprintf(f, "  %-14s %-5s  %-*s  %s\n", str(r, "stage"), label(str(r, "outcome")),
                (int)width, str(r, "rule"), str(r, "message"));
        if (o == OUTCOME_FAIL || o == OUTCOME_WARN)
            fprintf(f, "  %-14s %-5s  %-*s  %s: %s\n", "", "", (int)width, "",
                    nn ? "Kjelde" : "Kilde", str(r, "source"));
    }
    fprintf(f, "  = %zu pass, %zu fail, %zu warn, %zu info, %zu na, %zu error\n\n",
            counts[OUTCOME_PASS], counts[OUTCOME_FAIL], counts[OUTCOME_WARN], counts[OUTCOME_INFO],
            counts[OUTCOME_NA], counts[OUTCOME_ERROR]);
}

int cli_print_json(const json_t *doc)
{
    if (json_dumpf(doc, stdout, JSON_INDENT(2)) != 0)
        return EXIT_INTERNAL;
    fputc('\n', stdout);
    return 0;
}
