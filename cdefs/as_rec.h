/* as_rec.h (common module): the record interface; as_record embeds it as its first member. */
struct as_rec_hooks_s;

typedef struct as_rec_s {
    as_val _;
    void* data;
    const struct as_rec_hooks_s* hooks;
} as_rec;
