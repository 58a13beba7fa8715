/* as_msgpack_ext.h (common module): the wildcard and infinity values of CDT range operations. */
extern const as_val as_cmp_inf;
extern const as_val as_cmp_wildcard;
