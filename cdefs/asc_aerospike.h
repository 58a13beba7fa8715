/* csrc/asc_aerospike.h: the connect cycle's instance calls as CPython functions (it says why). */
int asc_aerospike_export(const char* name);
