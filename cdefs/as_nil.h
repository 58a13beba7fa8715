/* as_nil.h (common module): the one nil value (static, never freed). */
extern const as_val as_nil;
