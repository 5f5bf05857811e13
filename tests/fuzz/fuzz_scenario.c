/* fuzz_scenario: the scenario loader on arbitrary bytes. It must return a World or one error,
 * never crash, leak, hang or run out of memory; its error is one printable line. */
#include "fuzz.h"

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Error err = { 0 };
    World *w = scenario_load_string((const char *)data, size, "fuzz.json", &err);
    if (w) {
        FUZZ_CHECK(!err.set);
        world_destroy(w);
    } else {
        fuzz_check_error(&err);
    }
    return 0;
}
