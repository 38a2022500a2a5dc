DROP TABLE events;
DROP TABLE order_items;
