-- an ordinary secondary index is built online; a FULLTEXT index on a new table blocks no one
ALTER TABLE articles ADD INDEX articles_author_idx (author_id), ALGORITHM=INPLACE, LOCK=NONE;
CREATE TABLE comments (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    body TEXT NOT NULL
) ENGINE=InnoDB;
ALTER TABLE comments ADD FULLTEXT INDEX comments_body_ft (body);
