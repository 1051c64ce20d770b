/*
 * speedtest_print.h - the result of `bottleneck speedtest` as text for
 * people and as JSON for machines (docs/speedtest.md shows both).
 */
#ifndef BN_CORE_SPEEDTEST_PRINT_H
#define BN_CORE_SPEEDTEST_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "speedtest.h"

void speedtest_print_text(const speedtest_outcome *o, FILE *out);
void speedtest_print_json(const speedtest_outcome *o, int64_t run_id,
                          FILE *out);

#endif
