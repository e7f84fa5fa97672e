-- wrk script: a storm of wrong-password sign-ins, each for an email of its
-- own and from an address of its own (X-Forwarded-For; the server runs with
-- --client-ip-header), so that the per-account and per-address throttles
-- never refuse one early and every attempt costs a full argon2id check.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
end

function request()
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body = string.format(
    '{"email": "storm%d@example.com", "password": "not the password", "token_name": "storm"}',
    math.random(1, 1000000000))
  return wrk.format("POST", "/auth/login",
    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = address}, body)
end
