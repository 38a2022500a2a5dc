-- InnoDB cannot build a FULLTEXT index with writes allowed
ALTER TABLE articles ADD FULLTEXT INDEX articles_body_ft (body);
