// A shared library that is not a reclift plugin.
extern "C" __attribute__((visibility("default"))) int some_other_function() { return 42; }
