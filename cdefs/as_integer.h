/* as_integer.h (common module) */
typedef struct as_integer_s {
    as_val _;
    int64_t value;
} as_integer;

as_integer* as_integer_init(as_integer* integer, int64_t value);
as_integer* as_integer_new(int64_t value);
