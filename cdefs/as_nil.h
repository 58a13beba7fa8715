/* as_nil.h (common module): the one nil value (static, never freed). */
extern as_val as_nil;  /* const in C; declared mutable only to take its address */
