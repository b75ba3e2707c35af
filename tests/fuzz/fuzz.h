#ifndef RIG_FUZZ_H
#define RIG_FUZZ_H

/*
 * Fuzz targets: each tests/fuzz/fuzz_*.c defines the libFuzzer entry point.
 * Built with clang's libFuzzer when available (make fuzz), else with
 * tests/fuzz/driver.c, a deterministic mutational driver.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path whose file holds exactly data (an in-memory file, reused per call). */
const char *fuzz_file(const uint8_t *data, size_t size);

#endif
