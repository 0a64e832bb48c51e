/*
 * bench/gen: a deterministic (seeded) generator of OCDS JSON Lines for the benchmarks.
 *
 *   bench/gen --processes N --seed S > file.jsonl
 *   bench/gen --municipalities          (the kommunenummer it uses, one a line)
 *
 * One line per release; each process has one release per stage it has reached (planning,
 * tender, award, contract, implementation; a few end in a cancellation). Buyers are
 * municipalities (the 357 kommunenummer valid in 2024; source in bench/README.md),
 * suppliers have valid MOD11 organisation numbers and are spread over municipalities,
 * CPV codes come from real CPV divisions, values are log-normal (median 400 000 NOK) so
 * every threshold band occurs. Same N and S: byte-identical output.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers: xorshift64*, seeded ---- */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static double unif(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static int pick(int n) { return (int)(unif() * n); }
static int chance(double p) { return unif() < p; }
static double gauss(void)
{
    double u = unif(), v = unif();
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* ---- municipalities: the 357 kommunenummer valid on 2024-01-01 ----
 * Data, not code: the list "Oversikt over alle landets kommunenummer og kommunenavn per
 * 01.01.2024" (regjeringen.no), as bundled in Supermagnum/josm-elevation (commit bb65f3c,
 * core/src/main/resources/no/nvdbincline/core/kommune/kommuner_2024-01-01.json), checked
 * code for code against SSB Klass classification 131 (see bench/README.md). Printed with
 * %04d, so 301 is 0301 (Oslo). */
static const int muni[] = {
    301, 1101, 1103, 1106, 1108, 1111, 1112, 1114, 1119, 1120, 1121, 1122,
    1124, 1127, 1130, 1133, 1134, 1135, 1144, 1145, 1146, 1149, 1151, 1160,
    1505, 1506, 1508, 1511, 1514, 1515, 1516, 1517, 1520, 1525, 1528, 1531,
    1532, 1535, 1539, 1547, 1554, 1557, 1560, 1563, 1566, 1573, 1576, 1577,
    1578, 1579, 1580, 1804, 1806, 1811, 1812, 1813, 1815, 1816, 1818, 1820,
    1822, 1824, 1825, 1826, 1827, 1828, 1832, 1833, 1834, 1835, 1836, 1837,
    1838, 1839, 1840, 1841, 1845, 1848, 1851, 1853, 1856, 1857, 1859, 1860,
    1865, 1866, 1867, 1868, 1870, 1871, 1874, 1875, 3101, 3103, 3105, 3107,
    3110, 3112, 3114, 3116, 3118, 3120, 3122, 3124, 3201, 3203, 3205, 3207,
    3209, 3212, 3214, 3216, 3218, 3220, 3222, 3224, 3226, 3228, 3230, 3232,
    3234, 3236, 3238, 3240, 3242, 3301, 3303, 3305, 3310, 3312, 3314, 3316,
    3318, 3320, 3322, 3324, 3326, 3328, 3330, 3332, 3334, 3336, 3338, 3401,
    3403, 3405, 3407, 3411, 3412, 3413, 3414, 3415, 3416, 3417, 3418, 3419,
    3420, 3421, 3422, 3423, 3424, 3425, 3426, 3427, 3428, 3429, 3430, 3431,
    3432, 3433, 3434, 3435, 3436, 3437, 3438, 3439, 3440, 3441, 3442, 3443,
    3446, 3447, 3448, 3449, 3450, 3451, 3452, 3453, 3454, 3901, 3903, 3905,
    3907, 3909, 3911, 4001, 4003, 4005, 4010, 4012, 4014, 4016, 4018, 4020,
    4022, 4024, 4026, 4028, 4030, 4032, 4034, 4036, 4201, 4202, 4203, 4204,
    4205, 4206, 4207, 4211, 4212, 4213, 4214, 4215, 4216, 4217, 4218, 4219,
    4220, 4221, 4222, 4223, 4224, 4225, 4226, 4227, 4228, 4601, 4602, 4611,
    4612, 4613, 4614, 4615, 4616, 4617, 4618, 4619, 4620, 4621, 4622, 4623,
    4624, 4625, 4626, 4627, 4628, 4629, 4630, 4631, 4632, 4633, 4634, 4635,
    4636, 4637, 4638, 4639, 4640, 4641, 4642, 4643, 4644, 4645, 4646, 4647,
    4648, 4649, 4650, 4651, 5001, 5006, 5007, 5014, 5020, 5021, 5022, 5025,
    5026, 5027, 5028, 5029, 5031, 5032, 5033, 5034, 5035, 5036, 5037, 5038,
    5041, 5042, 5043, 5044, 5045, 5046, 5047, 5049, 5052, 5053, 5054, 5055,
    5056, 5057, 5058, 5059, 5060, 5061, 5501, 5503, 5510, 5512, 5514, 5516,
    5518, 5520, 5522, 5524, 5526, 5528, 5530, 5532, 5534, 5536, 5538, 5540,
    5542, 5544, 5546, 5601, 5603, 5605, 5607, 5610, 5612, 5614, 5616, 5618,
    5620, 5622, 5624, 5626, 5628, 5630, 5632, 5634, 5636,
};
#define NMUNI 357
static char muni_org[NMUNI][10];
static int idx_bergen = -1, idx_alver = -1;

static void make_munis(void)
{
    if (sizeof muni / sizeof muni[0] != NMUNI) {
        fprintf(stderr, "gen: %zu municipalities, expected %d\n", sizeof muni / sizeof muni[0], NMUNI);
        exit(3);
    }
    for (int i = 0; i < NMUNI; i++) {
        if (muni[i] == 4601)
            idx_bergen = i;
        if (muni[i] == 4631)
            idx_alver = i;
    }
    if (idx_bergen < 0 || idx_alver < 0) {
        fprintf(stderr, "gen: Bergen (4601) or Alver (4631) missing from the list\n");
        exit(3);
    }
}

/* ---- organisation numbers (MOD11, weights 3 2 7 6 5 4 3 2) ---- */
static int orgnr_check(const char *d8)
{
    static const int w[8] = {3, 2, 7, 6, 5, 4, 3, 2};
    int s = 0;
    for (int i = 0; i < 8; i++)
        s += (d8[i] - '0') * w[i];
    int r = 11 - s % 11;
    if (r == 11)
        r = 0;
    return r; /* 10: no valid number with these digits */
}
static void make_orgnr(char out[10], int first)
{
    for (;;) {
        out[0] = (char)('0' + first);
        for (int i = 1; i < 8; i++)
            out[i] = (char)('0' + pick(10));
        int c = orgnr_check(out);
        if (c == 10)
            continue;
        out[8] = (char)('0' + c);
        out[9] = 0;
        return;
    }
}

/* ---- suppliers ---- */
#define NSUP 20000
typedef struct { char org[10]; int muni; int sme; } supplier;
static supplier sup[NSUP];
static int *sup_by_muni[NMUNI];
static int sup_by_muni_n[NMUNI];

static const char *name_a[] = {"Vest", "Nord", "Fjord", "Berg", "Dal", "Sjø", "Fjell", "Skog",
                               "Elv", "Bygde", "Kyst", "Vik", "Øy", "Strand", "Lia", "Nes"};
static const char *name_b[] = {"bygg", "elektro", "rør", "maling", "reinhald", "transport",
                               "data", "kontor", "mat", "service", "entreprenør", "tryggleik",
                               "grønt", "varme", "trykk", "konsult"};

static void make_suppliers(void)
{
    for (int i = 0; i < NSUP; i++) {
        make_orgnr(sup[i].org, chance(0.8) ? 9 : 8);
        /* a fifth of the suppliers sit in Bergen or Alver, the rest anywhere */
        double u = unif();
        sup[i].muni = u < 0.12 ? idx_bergen : u < 0.20 ? idx_alver : pick(NMUNI);
        sup[i].sme = chance(0.85);
        sup_by_muni_n[sup[i].muni]++;
    }
    for (int m = 0; m < NMUNI; m++) {
        sup_by_muni[m] = malloc(sizeof(int) * (size_t)(sup_by_muni_n[m] + 1));
        if (!sup_by_muni[m]) {
            fprintf(stderr, "gen: out of memory\n");
            exit(3);
        }
        sup_by_muni_n[m] = 0;
    }
    for (int i = 0; i < NSUP; i++)
        sup_by_muni[sup[i].muni][sup_by_muni_n[sup[i].muni]++] = i;
}

static int local_or_any(int m, double p_local)
{
    if (sup_by_muni_n[m] > 0 && chance(p_local))
        return sup_by_muni[m][pick(sup_by_muni_n[m])];
    return pick(NSUP);
}

static void supplier_name(int s, char *out, size_t n)
{
    snprintf(out, n, "%s%s %d AS", name_a[s % 16], name_b[(s / 16) % 16], s);
}

/* ---- CPV: real divisions ---- */
static const char *cpv_goods[] = {"03", "09", "15", "18", "22", "30", "31", "32", "33", "34",
                                  "35", "37", "38", "39", "42", "43", "44", "48"};
static const char *cpv_services[] = {"50", "55", "60", "63", "64", "66", "71", "72", "73",
                                     "77", "79", "80", "85", "90", "92", "98"};

static const char *trades[] = {"Tømrer", "Elektriker", "Rørlegger", "Maler", "Betong",
                               "Ventilasjon", "Murer", "Anleggsmaskinfører"};

/* ---- dates ---- */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}
static const char *day(int64_t days, char *buf)
{
    int y, m, d;
    civil(days, &y, &m, &d);
    sprintf(buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}
#define DAY_2023_01_01 19358

static void usage(void)
{
    fprintf(stderr, "usage: bench/gen --processes N [--seed S]   (N, S: non-negative integers)\n"
                    "       bench/gen --municipalities   (the 357 kommunenummer, one a line)\n");
    exit(2);
}

static unsigned long long number(const char *s)
{
    char *end;
    if (!*s || *s == '-')
        usage();
    unsigned long long v = strtoull(s, &end, 10);
    if (*end)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    long nproc = -1;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--processes") && i + 1 < argc) {
            unsigned long long v = number(argv[++i]);
            if (v > 9999999) /* the ocid has seven digits for the process number */
                usage();
            nproc = (long)v;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = number(argv[++i]);
        else if (!strcmp(argv[i], "--municipalities") && argc == 2) {
            make_munis();
            for (int m = 0; m < NMUNI; m++)
                printf("%04d\n", muni[m]);
            return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
        }
        else
            usage();
    }
    if (nproc < 0)
        usage();
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
    if (!rng_state)
        rng_state = 1;
    make_munis();
    for (int m = 0; m < NMUNI; m++)
        make_orgnr(muni_org[m], 9);
    strcpy(muni_org[idx_bergen], "964338531"); /* Bergen kommune */
    strcpy(muni_org[idx_alver], "920290922");  /* Alver kommune */
    make_suppliers();

    /* Output is streamed: memory does not grow with N. */
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    static char out[1 << 16];
    char d1[16], d2[16], d3[16];
    for (long i = 0; i < nproc; i++) {
        /* buyer: Bergen 15 %, Alver 10 %, the rest spread over every municipality */
        double u = unif();
        int bm = u < 0.15 ? idx_bergen : u < 0.25 ? idx_alver : pick(NMUNI);
        int code = muni[bm];
        /* category and CPV */
        double cu = unif();
        const char *cat = cu < 0.4 ? "goods" : cu < 0.8 ? "services" : "works";
        const char *div = cat[0] == 'w'   ? "45"
                          : cat[0] == 'g' ? cpv_goods[pick(18)]
                                          : cpv_services[pick(16)];
        char cpv[40];
        snprintf(cpv, sizeof cpv, "%s%d%d00000", div, 1 + pick(9), pick(10));
        /* value: log-normal, median 400 000; works ten times larger; 1 % without value */
        double value = exp(log(400000.0) + 2.0 * gauss()) * (cat[0] == 'w' ? 10.0 : 1.0);
        value = floor(value / 100.0) * 100.0 + 100.0;
        int has_value = !chance(0.01);
        /* final stage: 0 planning .. 4 implementation, 5 cancelled */
        double su = unif();
        int final = su < 0.10 ? 0 : su < 0.30 ? 1 : su < 0.45 ? 2 : su < 0.65 ? 3 : su < 0.97 ? 4 : 5;
        int64_t t0 = DAY_2023_01_01 + pick(3 * 365);
        char ocid[80];
        snprintf(ocid, sizeof ocid, "ocds-bench-%04d-%07ld", code, i);
        /* method */
        double mu = unif();
        const char *method = value < 100000 ? (mu < 0.7 ? "direct" : "limited")
                             : mu < 0.75 ? "open" : mu < 0.88 ? "selective" : mu < 0.94 ? "limited" : "direct";
        int doffin = value >= 1300000 ? chance(0.9) : value >= 100000 ? chance(0.5) : 0;
        int rationale = !doffin && chance(0.5);
        int appr = (cat[0] == 'w' || cat[0] == 's') && value >= 1300000 && chance(0.8);
        double share = appr ? (chance(0.5) ? 0.10 : 0.15) : 0;
        int nquotes = value < 100000 ? pick(6) : 0;
        int winner = local_or_any(bm, 0.6);
        int64_t tT = t0 + 10 + pick(60), tA = tT + 30 + pick(60), tC = tA + 10 + pick(20),
                tI = tC + 30 + pick(200);
        int64_t end = tC + 365 + pick(4 * 365);

        /* parties: buyer, quote suppliers, winner */
        int qs[6];
        for (int q = 0; q < nquotes; q++)
            qs[q] = chance(0.15) && q > 0 ? qs[q - 1] : local_or_any(bm, 0.6);
        char parties[8192];
        size_t pn = 0;
        pn += (size_t)snprintf(parties + pn, sizeof parties - pn,
                               "[{\"id\":\"NO-BRC-%s\",\"name\":\"Kommune %04d\",\"roles\":[\"buyer\"],"
                               "\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"%s\"},"
                               "\"details\":{\"municipalityCode\":\"%04d\"}}",
                               muni_org[bm], code, muni_org[bm], code);
        int listed[8], nl = 0;
        for (int q = 0; q <= nquotes; q++) {
            int s = q < nquotes ? qs[q] : winner;
            int dup = 0;
            for (int k = 0; k < nl; k++)
                dup |= listed[k] == s;
            if (dup)
                continue;
            listed[nl++] = s;
            char nm[64];
            supplier_name(s, nm, sizeof nm);
            pn += (size_t)snprintf(parties + pn, sizeof parties - pn,
                                   ",{\"id\":\"NO-BRC-%s\",\"name\":\"%s\",\"roles\":[\"supplier\"],"
                                   "\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"%s\"},"
                                   "\"details\":{\"municipalityCode\":\"%04d\",\"scale\":\"%s\","
                                   "\"approvedApprenticeCompany\":%s}}",
                                   sup[s].org, nm, sup[s].org, muni[sup[s].muni],
                                   sup[s].sme ? "sme" : "large", chance(0.4) ? "true" : "false");
        }
        snprintf(parties + pn, sizeof parties - pn, "]");

        char valuejs[96];
        if (has_value)
            snprintf(valuejs, sizeof valuejs, ",\"value\":{\"amount\":%.0f,\"currency\":\"NOK\"}", value);
        else
            valuejs[0] = 0;

        /* planning */
        int64_t tP = t0;
        printf("{\"ocid\":\"%s\",\"id\":\"%s-01\",\"date\":\"%sT09:00:00Z\",\"tag\":[\"planning\"],"
               "\"initiationType\":\"tender\",\"buyer\":{\"id\":\"NO-BRC-%s\",\"name\":\"Kommune %04d\"},"
               "\"parties\":%s,\"tender\":{\"id\":\"%s-t\",\"title\":\"Anskaffing %ld\",\"status\":\"planning\""
               "%s,\"mainProcurementCategory\":\"%s\",\"items\":[{\"id\":\"1\","
               "\"classification\":{\"scheme\":\"CPV\",\"id\":\"%s\"}}],"
               "\"reservedAssessment\":{\"suitable\":%s,\"justification\":\"Marknaden har ikkje "
               "arbeidsmarknadsbedrifter for dette.\",\"date\":\"%s\"}}}\n",
               ocid, ocid, day(tP, d1), muni_org[bm], code, parties, ocid, i, valuejs, cat, cpv,
               chance(0.1) ? "true" : "false", day(tP, d2));
        if (final == 0)
            continue;
        /* tender (or cancellation from planning when final == 5 and early) */
        size_t on = 0;
        on += (size_t)snprintf(out + on, sizeof out - on,
                               "{\"ocid\":\"%s\",\"id\":\"%s-02\",\"date\":\"%sT09:00:00Z\",\"tag\":[\"tender\"],"
                               "\"tender\":{\"status\":\"active\",\"procurementMethod\":\"%s\"",
                               ocid, ocid, day(tT, d1), method);
        if (rationale)
            on += (size_t)snprintf(out + on, sizeof out - on,
                                   ",\"procurementMethodRationale\":\"%s\"",
                                   chance(0.7) ? "Berre ein leverandør kan levere dette (einerett)."
                                               : "Hastar");
        if (doffin)
            on += (size_t)snprintf(out + on, sizeof out - on,
                                   ",\"notices\":[{\"platform\":\"doffin\",\"id\":\"%d-%06ld\","
                                   "\"datePublished\":\"%sT08:00:00Z\"}]",
                                   2023 + pick(3), i % 1000000, day(tT, d2));
        on += (size_t)snprintf(out + on, sizeof out - on,
                               ",\"tenderPeriod\":{\"startDate\":\"%sT08:00:00Z\",\"endDate\":\"%sT12:00:00Z\"}"
                               ",\"submissionMethod\":[\"%s\"]",
                               day(tT, d2), day(tT + 25, d3), chance(0.9) ? "electronicSubmission" : "written");
        if (nquotes) {
            on += (size_t)snprintf(out + on, sizeof out - on, ",\"quoteRequests\":[");
            for (int q = 0; q < nquotes; q++)
                on += (size_t)snprintf(out + on, sizeof out - on,
                                       "%s{\"id\":\"q%d\",\"supplier\":{\"id\":\"NO-BRC-%s\"},"
                                       "\"date\":\"%sT08:00:00Z\",\"responded\":%s}",
                                       q ? "," : "", q + 1, sup[qs[q]].org, day(tT, d2),
                                       chance(0.7) ? "true" : "false");
            on += (size_t)snprintf(out + on, sizeof out - on, "]");
            if (nquotes < 3 && chance(0.5))
                on += (size_t)snprintf(out + on, sizeof out - on,
                                       ",\"localQuotesJustification\":\"Få lokale leverandørar i "
                                       "denne bransjen.\"");
        }
        if (appr)
            on += (size_t)snprintf(out + on, sizeof out - on,
                                   ",\"apprenticeRequirement\":{\"required\":true,"
                                   "\"minShareOfHours\":%.2f,\"perTrade\":true}",
                                   share);
        on += (size_t)snprintf(out + on, sizeof out - on,
                               ",\"contractPeriod\":{\"startDate\":\"%sT00:00:00Z\",\"endDate\":\"%sT00:00:00Z\"}}}\n",
                               day(tC, d1), day(end, d2));
        fputs(out, stdout);
        if (final == 1)
            continue;
        if (final == 5) {
            printf("{\"ocid\":\"%s\",\"id\":\"%s-09\",\"date\":\"%sT09:00:00Z\",\"tag\":[\"tenderCancellation\"],"
                   "\"tender\":{\"status\":\"cancelled\"}}\n",
                   ocid, ocid, day(tA, d1));
            continue;
        }
        /* award */
        char wn[64];
        supplier_name(winner, wn, sizeof wn);
        printf("{\"ocid\":\"%s\",\"id\":\"%s-03\",\"date\":\"%sT09:00:00Z\",\"tag\":[\"award\"],"
               "\"awards\":[{\"id\":\"a1\",\"date\":\"%sT09:00:00Z\",\"status\":\"active\","
               "\"suppliers\":[{\"id\":\"NO-BRC-%s\",\"name\":\"%s\"}]%s,\"unsuccessfulNotified\":%s}]}\n",
               ocid, ocid, day(tA, d1), day(tA, d2), sup[winner].org, wn, valuejs,
               chance(0.8) ? "true" : "false");
        if (final == 2)
            continue;
        /* contract */
        printf("{\"ocid\":\"%s\",\"id\":\"%s-04\",\"date\":\"%sT09:00:00Z\",\"tag\":[\"contract\"],"
               "\"contracts\":[{\"id\":\"c1\",\"awardID\":\"a1\",\"status\":\"active\",\"dateSigned\":\"%sT09:00:00Z\","
               "\"period\":{\"startDate\":\"%sT00:00:00Z\",\"endDate\":\"%sT00:00:00Z\"}%s,"
               "\"contractManager\":{\"id\":\"km%d\",\"name\":\"Kontraktsforvaltar %d\"},"
               "\"signatureMethod\":\"%s\",\"template\":{\"standard\":%s}}]}\n",
               ocid, ocid, day(tC, d1), day(tC, d2), day(tC, d3), day(end, d1), valuejs, pick(500),
               pick(500), chance(0.8) ? "electronic" : "paper", chance(0.7) ? "true" : "false");
        if (final == 3)
            continue;
        /* implementation: monthly hour reports per trade (works and services) */
        on = 0;
        on += (size_t)snprintf(out + on, sizeof out - on,
                               "{\"ocid\":\"%s\",\"id\":\"%s-05\",\"date\":\"%sT09:00:00Z\",\"tag\":[\"implementation\"],"
                               "\"contracts\":[{\"id\":\"c1\",\"implementation\":{\"hourReports\":[",
                               ocid, ocid, day(tI, d1));
        int ntr = cat[0] == 'g' ? 0 : 1 + pick(3);
        int months = 1 + pick(6), first = 1;
        for (int t = 0; t < ntr; t++) {
            const char *trade = trades[pick(8)];
            double tshare = unif() * 0.25;
            for (int mo = 0; mo < months; mo++) {
                int total = 80 + pick(1500);
                int ap = (int)(total * tshare * (0.7 + 0.6 * unif()));
                int sk = (int)(total * (0.3 + 0.6 * unif()));
                if (sk + ap > total)
                    sk = total - ap;
                int hi = (int)(total * 0.2 * unif());
                int y, m, d;
                civil(tC + 30 * (mo + 1), &y, &m, &d);
                on += (size_t)snprintf(out + on, sizeof out - on,
                                       "%s{\"id\":\"hr-%d-%d\",\"period\":\"%04d-%02d\",\"trade\":\"%s\","
                                       "\"totalHours\":%d,\"apprenticeHours\":%d,\"skilledHours\":%d,"
                                       "\"hiredHours\":%d}",
                                       first ? "" : ",", t, mo, y, m, trade, total, ap, sk, hi);
                first = 0;
            }
        }
        on += (size_t)snprintf(out + on, sizeof out - on, "]}}]}\n");
        fputs(out, stdout);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("gen: writing the output");
        return 3;
    }
    return 0;
}
