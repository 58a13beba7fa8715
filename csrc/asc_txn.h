/*
 * A transaction's read or write key set, copied in one go under the set's own lock
 * (as_txn_iter walks the hash without it, and a command on another thread may add, update
 * or free an element meanwhile). Declared for cffi in cdefs/asc_txn.h.
 */
#pragma once

#include <string.h>
#include <pthread.h>
#include <aerospike/as_txn.h>

/* Copy up to `capacity` keys of txn's reads (or writes) into `out`; returns how many the
   set holds (more than capacity: call again with room for them). */
static uint32_t
asc_txn_keys(as_txn* txn, bool writes, as_txn_key* out, uint32_t capacity)
{
	as_txn_hash* h = writes ? &txn->writes : &txn->reads;
	uint32_t count = 0;

	pthread_mutex_lock(&h->lock);
	for (uint32_t i = 0; i < h->n_rows; i++) {
		as_txn_hash_row* row = &h->table[i];

		if (! row->used) {
			continue;
		}
		for (as_txn_key* e = &row->head; e != NULL; e = e->next) {
			if (count < capacity) {
				memcpy(&out[count], e, sizeof(as_txn_key));
				out[count].next = NULL;
			}
			count++;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return count;
}
