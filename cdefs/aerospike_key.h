/* aerospike_key.h: single-record commands (synchronous). */
as_status aerospike_key_get(aerospike* as, as_error* err, const as_policy_read* policy,
    const as_key* key, as_record** rec);
as_status aerospike_key_select(aerospike* as, as_error* err, const as_policy_read* policy,
    const as_key* key, const char* bins[], as_record** rec);
as_status aerospike_key_select_bins(aerospike* as, as_error* err, const as_policy_read* policy,
    const as_key* key, const char* bins[], uint32_t n_bins, as_record** rec);
as_status aerospike_key_exists(aerospike* as, as_error* err, const as_policy_read* policy,
    const as_key* key, as_record** rec);
as_status aerospike_key_put(aerospike* as, as_error* err, const as_policy_write* policy,
    const as_key* key, as_record* rec);
as_status aerospike_key_remove(aerospike* as, as_error* err, const as_policy_remove* policy,
    const as_key* key);
as_status aerospike_key_operate(aerospike* as, as_error* err, const as_policy_operate* policy,
    const as_key* key, const as_operations* ops, as_record** rec);
as_status aerospike_key_apply(aerospike* as, as_error* err, const as_policy_apply* policy,
    const as_key* key, const char* module, const char* function, as_list* arglist, as_val** result);
