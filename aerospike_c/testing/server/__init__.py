"""The embedded Aerospike server: one module per server feature.

Plumbing
    wire         proto framing (8-byte header, types info/admin/message/compressed)
    node         one node: listener, connection threads, stop/kill/hang/restart
    cluster      EmbeddedCluster: nodes, membership, partition map, racks, TLS
    store        records, namespaces and partitions; namespace/sets/bins statistics
    results      every result code and the error texts replies carry
    particles    bin values: particle types, msgpack, CDT ordering

Info protocol (proto type 1)
    info         info requests, cluster commands, routing of data commands
    sindex       secondary index definitions and sindex-* commands
    truncate     truncate, truncate-namespace
    udf          UDF module storage (udf-put/list/get/remove)

Admin protocol (proto type 2)
    security     login, session tokens, user management

AS_MSG protocol (proto type 3)
    msg          message codec: fields, operations, header bits, replies
    dispatch     which family answers a request
    records      single-record read/write/operate/touch/delete
    batch        batch index protocol
    scan_query   scans and queries: partitions, index predicates, record stream
    background   background scan/query jobs and query-show
    expressions  filter expressions
    error_detail server 8.2 error details (field 45: subcode, message, expression trace)
    cdt          CDT operation entry point
    cdt_select   selection and return types shared by list and map operations
    cdt_list     list operations
    cdt_map      map operations
    cdt_ctx      context navigation and creation
    cdt_path     select/apply by path (CDT command 0xfe, server 8.1)
    geojson      GeoJSON validation and geo matching (queries, as_exp_cmp_geo)
"""
