SELECT "weird ""name""", 'it''s', 1e10, -0.5, x'00ff' FROM "t" -- comment
/* block */