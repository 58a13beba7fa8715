/* as_txn_monitor.h: the key of a transaction's monitor record. */
void as_txn_monitor_init_key(as_txn* txn, as_key* key);
