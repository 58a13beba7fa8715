/* as_event.h: the C client's event loops (libev, compiled in: csrc/asc_libev.c). */
typedef struct as_policy_event {
    int max_commands_in_process;
    uint32_t max_commands_in_queue;
    uint32_t queue_initial_capacity;
} as_policy_event;

typedef struct as_event_loop {
    uint32_t index;
    uint32_t max_commands_in_queue;
    int max_commands_in_process;
    int pending;
    ...;
} as_event_loop;

void as_policy_event_init(as_policy_event* policy);
as_event_loop* as_event_create_loops(uint32_t capacity);
as_status as_create_event_loops(as_error* err, as_policy_event* policy, uint32_t capacity,
    as_event_loop** event_loops);
bool as_event_close_loops(void);
as_event_loop* as_event_loop_get_by_index(uint32_t index);
as_event_loop* as_event_loop_get(void);
int as_event_loop_get_process_size(as_event_loop* event_loop);
uint32_t as_event_loop_get_queue_size(as_event_loop* event_loop);
bool as_event_set_external_loop_capacity(uint32_t capacity);
as_event_loop* as_event_set_external_loop(void* loop);
as_status as_set_external_event_loop(as_error* err, as_policy_event* policy, void* loop,
    as_event_loop** event_loop);
as_event_loop* as_event_loop_find(void* loop);
void as_event_destroy_loops(void);
