/* as_admin.h: users, roles, privileges, whitelists and quotas (security administration). */
#define AS_ROLE_SIZE ...

typedef enum as_privilege_code_e {
    AS_PRIVILEGE_USER_ADMIN = 0,
    AS_PRIVILEGE_SYS_ADMIN = 1,
    AS_PRIVILEGE_DATA_ADMIN = 2,
    AS_PRIVILEGE_UDF_ADMIN = 3,
    AS_PRIVILEGE_SINDEX_ADMIN = 4,
    AS_PRIVILEGE_READ = 10,
    AS_PRIVILEGE_READ_WRITE = 11,
    AS_PRIVILEGE_READ_WRITE_UDF = 12,
    AS_PRIVILEGE_WRITE = 13,
    AS_PRIVILEGE_TRUNCATE = 14
} as_privilege_code;

typedef struct as_privilege_s {
    as_namespace ns;
    as_set set;
    as_privilege_code code;
} as_privilege;

typedef struct as_role_s {
    char name[64];
    int read_quota;
    int write_quota;
    char** whitelist;
    int whitelist_size;
    int privileges_size;
    as_privilege privileges[];
} as_role;

typedef struct as_user_s {
    char name[64];
    uint32_t* read_info;
    uint32_t* write_info;
    int read_info_size;
    int write_info_size;
    int conns_in_use;
    int roles_size;
    char roles[][64];
} as_user;

as_status aerospike_create_user(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, const char* password, const char** roles, int roles_size);
as_status aerospike_create_pki_user(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, const char** roles, int roles_size);
as_status aerospike_drop_user(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name);
as_status aerospike_set_password(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, const char* password);
as_status aerospike_change_password(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, const char* password);
as_status aerospike_grant_roles(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, const char** roles, int roles_size);
as_status aerospike_revoke_roles(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, const char** roles, int roles_size);
as_status aerospike_create_role(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role, as_privilege** privileges, int privileges_size);
as_status aerospike_create_role_whitelist(aerospike* as, as_error* err,
    const as_policy_admin* policy, const char* role, as_privilege** privileges,
    int privileges_size, const char** whitelist, int whitelist_size);
as_status aerospike_create_role_quotas(aerospike* as, as_error* err,
    const as_policy_admin* policy, const char* role, as_privilege** privileges,
    int privileges_size, const char** whitelist, int whitelist_size, int read_quota,
    int write_quota);
as_status aerospike_drop_role(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role);
as_status aerospike_grant_privileges(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role, as_privilege** privileges, int privileges_size);
as_status aerospike_revoke_privileges(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role, as_privilege** privileges, int privileges_size);
as_status aerospike_set_whitelist(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role, const char** whitelist, int whitelist_size);
as_status aerospike_set_quotas(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role, int read_quota, int write_quota);
as_status aerospike_query_user(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* user_name, as_user** user);
void as_user_destroy(as_user* user);
as_status aerospike_query_users(aerospike* as, as_error* err, const as_policy_admin* policy,
    as_user*** users, int* users_size);
void as_users_destroy(as_user** users, int users_size);
as_status aerospike_query_role(aerospike* as, as_error* err, const as_policy_admin* policy,
    const char* role_name, as_role** role);
void as_role_destroy(as_role* role);
as_status aerospike_query_roles(aerospike* as, as_error* err, const as_policy_admin* policy,
    as_role*** roles, int* roles_size);
void as_roles_destroy(as_role** roles, int roles_size);
