/* as_boolean.h (common module) */
typedef struct as_boolean_s {
    as_val _;
    bool value;
} as_boolean;

extern const as_boolean as_true;
extern const as_boolean as_false;

as_boolean* as_boolean_init(as_boolean* boolean, bool value);
as_boolean* as_boolean_new(bool value);
