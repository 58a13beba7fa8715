/* as_version.h: server version components, parsed, printed and compared. */
typedef struct {
    uint16_t major;
    uint16_t minor;
    uint16_t patch;
    uint16_t build;
} as_version;

bool as_version_from_string(as_version* ver, const char* str);
void as_version_to_string(const as_version* ver, char* str, size_t size);
int as_version_compare(const as_version* ver1, const as_version* ver2);
as_version as_server_version_8_1;
as_version as_server_version_8_1_1;
as_version as_server_version_8_2_0;
