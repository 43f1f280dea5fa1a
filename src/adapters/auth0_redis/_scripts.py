"""The Lua scripts: each store operation that touches more than one key runs as one script.

A script runs atomically, so no other client sees a half-written session or index, and a
write that must find its record (a refresh, a roll) cannot bring back one a logout deleted in
between. Keys a script computes (an index member's record) share the hash tag of the keys it
was given, so every script stays in one Redis Cluster slot.
"""

from __future__ import annotations

import hashlib

import attrs


@attrs.frozen
class Script:
    """A Lua script and its SHA-1 (sent with EVALSHA; EVAL once when the server lacks it)."""

    name: str
    source: str = attrs.field(repr=False)
    sha: str = attrs.field(init=False, repr=False)

    @sha.default
    def _sha(self) -> str:
        return hashlib.sha1(self.source.encode("utf-8"), usedforsecurity=False).hexdigest()


# KEYS: record, sub index, sid index.
# ARGV: sealed value, TTL (ms), sid digest, member (R), "1" when the record must exist,
#       record prefix, sid index prefix, how many index members to sweep.
# Returns 1 when written, 0 when the record had to exist and did not (nothing written).
WRITE_SESSION = Script(
    "write_session",
    """
local record, ttl, member = KEYS[1], tonumber(ARGV[2]), ARGV[4]
if ARGV[5] == '1' and redis.call('EXISTS', record) == 0 then return 0 end
local old = redis.call('HGET', record, 'x')
if old and old ~= ARGV[3] then redis.call('SREM', ARGV[7] .. old, member) end
redis.call('HSET', record, 'v', ARGV[1], 'x', ARGV[3])
redis.call('PEXPIRE', record, ttl)
local sweep = tonumber(ARGV[8])
for i = 2, 3 do
  local index = KEYS[i]
  redis.call('SADD', index, member)
  if redis.call('PTTL', index) < ttl then redis.call('PEXPIRE', index, ttl) end
  for _, other in ipairs(redis.call('SRANDMEMBER', index, sweep)) do
    if redis.call('EXISTS', ARGV[6] .. other) == 0 then redis.call('SREM', index, other) end
  end
end
return 1
""",
)

# KEYS: record, sub index.  ARGV: member (R), sid index prefix.
# Returns 1 when a record was deleted, 0 when there was none.
DELETE_SESSION = Script(
    "delete_session",
    """
local sid = redis.call('HGET', KEYS[1], 'x')
if sid then redis.call('SREM', ARGV[2] .. sid, ARGV[1]) end
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
""",
)

# KEYS: sid index, sub index.  ARGV: record prefix, sid digest.
# Deletes the user's sessions of one sid; returns how many records were deleted.
DELETE_BY_SID = Script(
    "delete_by_sid",
    """
local deleted = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local record = ARGV[1] .. member
  if redis.call('HGET', record, 'x') == ARGV[2] then
    deleted = deleted + redis.call('DEL', record)
    redis.call('SREM', KEYS[2], member)
  end
end
redis.call('DEL', KEYS[1])
return deleted
""",
)

# KEYS: sub index.  ARGV: record prefix, sid index prefix.
# Deletes every session of the user; returns how many records were deleted.
DELETE_BY_SUB = Script(
    "delete_by_sub",
    """
local deleted = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local record = ARGV[1] .. member
  local sid = redis.call('HGET', record, 'x')
  if sid then redis.call('SREM', ARGV[2] .. sid, member) end
  deleted = deleted + redis.call('DEL', record)
end
redis.call('DEL', KEYS[1])
return deleted
""",
)

# KEYS: a set.  ARGV: member, TTL (ms).  Adds the member; the set lives at least the TTL.
ADD_HINT = Script(
    "add_hint",
    """
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
""",
)

# KEYS: key.  ARGV: token, TTL (ms).  Takes the key for the token unless another holds it;
# 1 when the token holds it (also when it already did: a retried call is not refused).
TAKE = Script(
    "take",
    """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
""",
)

# KEYS: key.  ARGV: token.  Deletes the key only while the token holds it.
RELEASE = Script(
    "release",
    """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
""",
)
