/* as_cdt_order.h */
typedef enum as_list_order_e { AS_LIST_UNORDERED, AS_LIST_ORDERED, ... } as_list_order;
typedef enum as_map_order_e { AS_MAP_UNORDERED, AS_MAP_KEY_ORDERED, AS_MAP_KEY_VALUE_ORDERED, ... } as_map_order;

uint32_t as_list_order_to_flag(as_list_order order, bool pad);
uint32_t as_map_order_to_flag(as_map_order order);
