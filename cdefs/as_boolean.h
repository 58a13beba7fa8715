/* as_boolean.h (common module) */
typedef struct as_boolean_s {
    as_val _;
    bool value;
} as_boolean;

extern as_boolean as_true;  /* const in C (see as_nil.h) */
extern as_boolean as_false;

as_boolean* as_boolean_init(as_boolean* boolean, bool value);
as_boolean* as_boolean_new(bool value);
