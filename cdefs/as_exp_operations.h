/* as_exp_operations.h: expression read and write operations (the expression is packed into the
   operation at once). */
typedef enum as_exp_write_flags_e {
    AS_EXP_WRITE_DEFAULT, AS_EXP_WRITE_CREATE_ONLY, AS_EXP_WRITE_UPDATE_ONLY,
    AS_EXP_WRITE_ALLOW_DELETE, AS_EXP_WRITE_POLICY_NO_FAIL, AS_EXP_WRITE_EVAL_NO_FAIL, ...
} as_exp_write_flags;

typedef enum as_exp_read_flags_e {
    AS_EXP_READ_DEFAULT, AS_EXP_READ_EVAL_NO_FAIL, ...
} as_exp_read_flags;

bool as_operations_exp_write(as_operations* ops, const char* name, const as_exp* exp, as_exp_write_flags flags);
bool as_operations_exp_read(as_operations* ops, const char* name, const as_exp* exp, as_exp_read_flags flags);
