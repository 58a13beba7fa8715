/* as_msgpack_ext.h (common module): the wildcard and infinity values of CDT range operations. */
extern as_val as_cmp_inf;  /* const in C (see as_nil.h) */
extern as_val as_cmp_wildcard;
