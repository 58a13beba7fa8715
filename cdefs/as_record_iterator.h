/* as_record_iterator.h: the bins of a record, one at a time. */
typedef struct as_record_iterator_s {
    bool _free;
    const as_record* record;
    uint32_t pos;
} as_record_iterator;

as_record_iterator* as_record_iterator_init(as_record_iterator* iterator, const as_record* record);
void as_record_iterator_destroy(as_record_iterator* iterator);
bool as_record_iterator_has_next(const as_record_iterator* iterator);
as_bin* as_record_iterator_next(as_record_iterator* iterator);
