#ifndef CATALYSTWELLS_CLIBFUZZER_H
#define CATALYSTWELLS_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/*
 * libFuzzer's driver as a function (compiler-rt FuzzerInterface.h), linked in by -sanitize=fuzzer. A harness
 * calls it from its own main: SwiftPM gives every executable target a main of its own (it links it with
 * --defsym main=<module>_main), so libFuzzer's main cannot be the entry point.
 */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
