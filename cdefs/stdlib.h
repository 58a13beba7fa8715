/* stdlib.h: to release memory the C client allocated for us (cf_free is free). */
void free(void* ptr);
