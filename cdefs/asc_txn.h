/* csrc/asc_txn.h: a transaction's read or write keys, copied under the set's lock. */
uint32_t asc_txn_keys(as_txn* txn, bool writes, as_txn_key* out, uint32_t capacity);
