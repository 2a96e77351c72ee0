-- Two catalogues with the same code, as production has: the unique index cannot be built.
INSERT INTO catalogues (code) VALUES ('ABC-0001');
INSERT INTO catalogues (code) VALUES ('ABC-0001');
