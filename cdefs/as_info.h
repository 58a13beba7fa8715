/* as_info.h: parsing an info response ("name\tvalue\n..."). */
typedef struct as_name_value_s {
    char* name;
    char* value;
} as_name_value;

as_status as_info_parse_single_response(char* values, char** value);
void as_info_parse_multi_response(char* buf, as_vector* values);
