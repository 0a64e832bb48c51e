/*
 * fuzz_ocds: arbitrary bytes through reading (all four input forms, as a .json file and,
 * when the first byte is odd, as .jsonl), grouping by ocid, the OCDS merge in date order and
 * the readings of a compiled release. Any JSON array of values is also merged element by
 * element with ocds_merge directly, bypassing validation, so the merge itself sees every
 * shape. Only crashes and sanitizer reports are findings.
 */
#include <stdint.h>

#include "ocds.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_group(const char *name, const uint8_t *data, size_t size)
{
    ocds_batch b = {0};
    anbud_err err;
    if (ocds_read(&b, name, (const char *)data, size, &err) == ANBUD_OK) {
        ocds_set set;
        if (ocds_group(&b, &set, &err) == ANBUD_OK) {
            for (size_t i = 0; i < set.n; i++) {
                const ocds_process *p = &set.items[i];
                double v;
                char key[256];
                (void)ocds_value(p->compiled, &v);
                (void)ocds_relevant_days(p->compiled, p->first_days);
                (void)ocds_buyer_municipality(p->compiled);
                ocds_buyer_key(p->compiled, key, sizeof key);
                if (ocds_stage_of_compiled(p->compiled) == STAGE_COUNT)
                    abort();
                verdict_list none = {0};
                json_t *r = report_process_json(p->ocid, ocds_stage_name(p->stage), "fz", &none);
                json_decref(r);
            }
            ocds_set_free(&set);
        }
    }
    ocds_batch_free(&b);
}

/* ocds_merge over the elements of a top-level array, whatever they hold. */
static void merge_raw(const uint8_t *data, size_t size)
{
    json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!json_is_array(root)) {
        json_decref(root);
        return;
    }
    json_t *compiled = json_object();
    anbud_err err;
    for (size_t i = 0; compiled && i < json_array_size(root); i++) {
        json_t *r = json_array_get(root, i);
        if (json_is_object(r) && ocds_merge(compiled, r, &err) != ANBUD_OK)
            break;
    }
    if (compiled) {
        double v;
        (void)ocds_value(compiled, &v);
        (void)ocds_stage_of_compiled(compiled);
        (void)ocds_stage_of_tags(compiled);
        (void)ocds_relevant_days(compiled, 0);
        char *text = json_dumps(compiled, JSON_COMPACT);
        free(text);
    }
    json_decref(compiled);
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_group(size && (data[0] & 1) ? "fuzz.jsonl" : "fuzz.json", data, size);
    merge_raw(data, size);
    return 0;
}
