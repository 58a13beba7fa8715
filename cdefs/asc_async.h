/* csrc/asc_async.h: async commands completing into a queue Python drains in bulk (it says why). */
#define ASC_NO_EVENT_LOOPS ...
#define ASC_RESULT_NONE ...
#define ASC_RESULT_META ...
#define ASC_RESULT_RECORD ...
#define ASC_RESULT_VALUE ...
#define ASC_ASYNC_GET ...
#define ASC_ASYNC_SELECT ...
#define ASC_ASYNC_EXISTS ...
#define ASC_ASYNC_PUT ...
#define ASC_ASYNC_REMOVE ...
#define ASC_ASYNC_OPERATE ...

typedef struct {
    uint64_t id;
    int32_t status;
    uint32_t size;
    uint8_t* data;
    void* ptr;
    as_error* err;
    as_event_loop* event_loop;
    uint32_t gen;
    uint32_t ttl;
} asc_completion;

typedef struct asc_queue asc_queue;

asc_queue* asc_queue_new(void);
int asc_queue_fd(asc_queue* q);
void asc_queue_own(asc_queue* q);
void asc_queue_destroy(asc_queue* q);
uint32_t asc_queue_drain(asc_queue* q, asc_completion* out, uint32_t max);
void asc_queue_release(asc_completion* items, uint32_t n);
void asc_queue_wake(asc_queue* q);
bool asc_queue_failed(asc_queue* q);
int asc_queue_wait(asc_queue* q, int timeout_ms);

as_status asc_async_key(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err, int kind,
    const void* policy, const as_key* key, void* arg, uint8_t result, as_event_loop* event_loop);
as_status asc_async_apply(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
    const as_policy_apply* policy, const as_key* key, const char* module, const char* function,
    as_list* arglist, as_event_loop* event_loop);
int asc_async_export(const char* name);
#define ASC_AIO_NONE ...
#define ASC_AIO_RECORD ...
#define ASC_AIO_ORDERED ...
#define ASC_AIO_META ...
void* asc_ev_loop_new(void);
int asc_ev_backend_fd(void* loop);
unsigned int asc_ev_backend_generation(void);
#define ASC_EV_PUMPED ...
double asc_ev_run(void* loop);
void asc_ev_loop_destroy(void* loop);
void asc_ev_adopt(as_event_loop* event_loop);
int asc_ev_orphan(as_event_loop* event_loop);
bool asc_ev_is_pumped(void);
uint32_t asc_event_loop_size(void);
void asc_event_forget_loops_in_child(void);
int asc_async_pending(aerospike* as, bool connections);
as_status asc_aerospike_close(aerospike* as, as_error* err);
void asc_aerospike_destroy(aerospike* as);
as_status asc_close_and_destroy(asc_instance* g, as_error* err, const size_t* exp_offsets,
    size_t count);
