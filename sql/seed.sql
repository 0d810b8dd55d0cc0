-- Demo data: the catalogue, users and order of the original service
-- (/work/shared/ORIGINAL.md). Idempotent: every run leaves the same rows, so it
-- is safe to run any number of times. Rows are found by sku and email, never by
-- id. `ecommerce-server seed` runs this file in one transaction.

-- Concurrent seeds wait for each other (the order below is created only once).
SELECT pg_advisory_xact_lock(7305189627540036101);

INSERT INTO categories (name)
VALUES ('Electronics'), ('Clothing'), ('Books')
ON CONFLICT (name) DO NOTHING;

INSERT INTO products (sku, title, description, category_id)
SELECT p.sku, p.title, p.description, c.id
FROM (VALUES
  (1, 'ELEC-LAPTOP-001', 'ProBook Laptop 15', '15-inch laptop, 16 GB RAM, 512 GB SSD.', 'Electronics'),
  (2, 'ELEC-PHONE-002', 'SmartPhone X12', 'Flagship smartphone with 6.7-inch display.', 'Electronics'),
  (3, 'CLO-TSHIRT-001', 'Classic Cotton T-Shirt', '100% organic cotton, unisex fit.', 'Clothing'),
  (4, 'BOOK-PYFLASK-001', 'Flask Web Development',
   'Building web applications with Python and Flask.', 'Books')
) AS p (n, sku, title, description, category)
JOIN categories c ON c.name = p.category
ORDER BY p.n
ON CONFLICT (sku) DO NOTHING;

-- Variants with their stock (`available` is what can be sold). A variant and
-- its inventory row are created together, in one statement.
WITH seed_variants (n, product_sku, sku, price_cents, attributes, stock) AS (
  VALUES
    (1, 'ELEC-LAPTOP-001', 'ELEC-LAPTOP-001-SLV', 129999, '{"color": "silver", "storage_gb": 512}'::jsonb, 25),
    (2, 'ELEC-LAPTOP-001', 'ELEC-LAPTOP-001-BLK', 134999, '{"color": "black", "storage_gb": 1024}', 10),
    (3, 'ELEC-PHONE-002', 'ELEC-PHONE-002-128', 79999, '{"color": "midnight", "storage_gb": 128}', 50),
    (4, 'ELEC-PHONE-002', 'ELEC-PHONE-002-256', 89999, '{"color": "midnight", "storage_gb": 256}', 30),
    (5, 'CLO-TSHIRT-001', 'CLO-TSHIRT-001-S-WHT', 2999, '{"size": "S", "color": "white"}', 100),
    (6, 'CLO-TSHIRT-001', 'CLO-TSHIRT-001-M-WHT', 2999, '{"size": "M", "color": "white"}', 150),
    (7, 'CLO-TSHIRT-001', 'CLO-TSHIRT-001-L-BLK', 2999, '{"size": "L", "color": "black"}', 80),
    (8, 'BOOK-PYFLASK-001', 'BOOK-PYFLASK-001-PBK', 3999, '{"format": "paperback"}', 200),
    (9, 'BOOK-PYFLASK-001', 'BOOK-PYFLASK-001-EBK', 1999, '{"format": "ebook"}', 9999)
),
new_variants AS (
  INSERT INTO product_variants (sku, product_id, price_cents, attributes)
  SELECT s.sku, p.id, s.price_cents, s.attributes
  FROM seed_variants s
  JOIN products p ON p.sku = s.product_sku
  ORDER BY s.n
  ON CONFLICT (sku) DO NOTHING
  RETURNING id, sku
)
INSERT INTO inventory (variant_id, available, reserved)
SELECT v.id, s.stock, 0
FROM new_variants v
JOIN seed_variants s ON s.sku = v.sku
ON CONFLICT (variant_id) DO NOTHING;

-- The original had no passwords yet; accounts with a NULL hash cannot log in.
INSERT INTO users (email, hashed_password)
VALUES ('alice@example.com', NULL), ('bob@example.com', NULL)
ON CONFLICT (email) DO NOTHING;

-- One paid order for alice, created only while she has none. Its units are
-- held in `reserved` (paid, not yet shipped); `available` keeps the stock above.
WITH buyer AS (
  SELECT u.id
  FROM users u
  WHERE u.email = 'alice@example.com'
    AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)
),
lines AS (
  SELECT v.id AS variant_id, v.price_cents, l.quantity
  FROM (VALUES ('ELEC-LAPTOP-001-SLV', 1), ('BOOK-PYFLASK-001-PBK', 2)) AS l (sku, quantity)
  JOIN product_variants v ON v.sku = l.sku
),
new_order AS (
  INSERT INTO orders (user_id, status, total_cents, currency, payment_provider_id)
  SELECT buyer.id, 'paid', (SELECT sum(price_cents * quantity) FROM lines), 'USD', 'seed-payment-0001'
  FROM buyer
  RETURNING id
),
new_items AS (
  INSERT INTO order_items (order_id, variant_id, unit_price_cents, quantity, subtotal_cents)
  SELECT new_order.id, lines.variant_id, lines.price_cents, lines.quantity,
         lines.price_cents * lines.quantity
  FROM new_order CROSS JOIN lines
  ORDER BY lines.variant_id
  RETURNING variant_id, quantity
)
UPDATE inventory i
SET reserved = i.reserved + new_items.quantity, last_updated_at = now()
FROM new_items
WHERE i.variant_id = new_items.variant_id;

-- The stock ledger (inventory_movements, 0002): every seeded variant starts with
-- one 'initial' movement of all its units, and the order above holds its units
-- through 'reserve' movements, so that each variant's movements sum to its
-- inventory row. Each is written only where it is missing, so a re-run adds
-- nothing (the admin account is made by `ecommerce-server seed` after this file).
INSERT INTO inventory_movements (variant_id, kind, available_delta, reserved_delta, reason)
SELECT i.variant_id, 'initial', i.available + i.reserved, 0, 'seed'
FROM inventory i
JOIN product_variants v ON v.id = i.variant_id
WHERE v.sku IN ('ELEC-LAPTOP-001-SLV', 'ELEC-LAPTOP-001-BLK', 'ELEC-PHONE-002-128',
                'ELEC-PHONE-002-256', 'CLO-TSHIRT-001-S-WHT', 'CLO-TSHIRT-001-M-WHT',
                'CLO-TSHIRT-001-L-BLK', 'BOOK-PYFLASK-001-PBK', 'BOOK-PYFLASK-001-EBK')
  AND NOT EXISTS (SELECT 1 FROM inventory_movements m WHERE m.variant_id = i.variant_id)
ORDER BY i.variant_id;

INSERT INTO inventory_movements (variant_id, kind, available_delta, reserved_delta, reason, order_id)
SELECT oi.variant_id, 'reserve', -oi.quantity, oi.quantity, 'seed order', o.id
FROM orders o
JOIN users u ON u.id = o.user_id
JOIN order_items oi ON oi.order_id = o.id
WHERE u.email = 'alice@example.com'
  AND o.payment_provider_id = 'seed-payment-0001'
  AND oi.variant_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM inventory_movements m
                  WHERE m.order_id = o.id AND m.variant_id = oi.variant_id AND m.kind = 'reserve')
ORDER BY oi.variant_id;

-- The seeded order's history, as checkout and pay would have written it
-- (created, then paid), added once.
INSERT INTO order_events (order_id, from_status, to_status, actor_user_id, created_at)
SELECT o.id, e.from_status, e.to_status, o.user_id, o.created_at
FROM orders o
JOIN users u ON u.id = o.user_id AND u.email = 'alice@example.com'
CROSS JOIN (VALUES (1, NULL::text, 'created'), (2, 'created', 'paid')) AS e (step, from_status, to_status)
WHERE o.payment_provider_id = 'seed-payment-0001'
  AND NOT EXISTS (SELECT 1 FROM order_events x WHERE x.order_id = o.id)
ORDER BY e.step;
