// References a symbol that no library defines: rtld_now must refuse it at load.
extern "C" int reclift_test_symbol_that_does_not_exist(int);
extern "C" __attribute__((visibility("default"))) int call_missing(int x) {
  return reclift_test_symbol_that_does_not_exist(x);
}
