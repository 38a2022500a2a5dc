-- declared when the table is created
CREATE TABLE refunds (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    amount DECIMAL(12, 2) NOT NULL
);
ALTER TABLE refunds ADD CONSTRAINT refunds_amount_check CHECK (amount > 0);
