INSERT INTO labels (name) VALUES ('x');
