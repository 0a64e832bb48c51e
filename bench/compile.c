/*
 * bench/compile: the input of the Node peers (bench/peers/node). Reads and groups a JSON
 * Lines file as bench/eval and bench/peers/clips do (ocds_read_file, ocds_group) and
 * writes one JSON line per process, in the same order as bench/eval --decisions:
 *
 *   {"ocid":"...","stage":"tender","first_date":"2023-01-21","compiled":{...}}
 *
 * stage is the process's current stage (ocds_stage_name), first_date the calendar day of
 * its first release (the last fallback of the relevant date, RULES.md), compiled the
 * merged release. Untimed preparation shared by both Node peers.
 *
 *   build/bench/compile FILE.jsonl > FILE.compiled.jsonl
 *
 * Exit 0; 2 on a usage error; 3 when the file cannot be read or written.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ocds.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench/compile FILE.jsonl > OUT.jsonl\n");
        return 2;
    }
    anbud_err err = {0};
    ocds_batch b = {0};
    ocds_set ps = {0};
    if (ocds_read_file(&b, argv[1], &err) || ocds_group(&b, &ps, &err)) {
        fprintf(stderr, "bench/compile: %s\n", err.msg);
        return 3;
    }
    int rc = 0;
    for (size_t i = 0; i < ps.n && rc == 0; i++) {
        const ocds_process *p = &ps.items[i];
        char first[11];
        date_format(p->first_days, first);
        json_t *line = json_pack("{s:s, s:s, s:s, s:O}", "ocid", p->ocid, "stage",
                                 ocds_stage_name(p->stage), "first_date", first, "compiled",
                                 p->compiled);
        if (!line) {
            fprintf(stderr, "bench/compile: %s: out of memory\n", p->ocid);
            rc = 3;
            break;
        }
        if (json_dumpf(line, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
            fputc('\n', stdout) == EOF) {
            fprintf(stderr, "bench/compile: cannot write the output\n");
            rc = 3;
        }
        json_decref(line);
    }
    if (rc == 0 && fflush(stdout) != 0) {
        fprintf(stderr, "bench/compile: cannot write the output\n");
        rc = 3;
    }
    ocds_set_free(&ps);
    ocds_batch_free(&b);
    return rc;
}
