-- Where a person's weeks and days begin: a weekday name, and minutes from
-- local midnight (-360 to 720: a day may begin at 18:00 the evening before,
-- or as late as noon).
ALTER TABLE users ADD COLUMN week_start TEXT NOT NULL DEFAULT 'monday';
ALTER TABLE users ADD COLUMN day_start BIGINT NOT NULL DEFAULT 0;
