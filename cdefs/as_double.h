/* as_double.h (common module) */
typedef struct as_double_s {
    as_val _;
    double value;
} as_double;

as_double* as_double_init(as_double* value_ptr, double value);
as_double* as_double_new(double value);
