/* as_pair.h (common module): what a map iterator yields. */
typedef struct as_pair_s {
    as_val _;
    as_val* _1;
    as_val* _2;
} as_pair;
