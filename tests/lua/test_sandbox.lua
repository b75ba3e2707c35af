-- What a script cannot do: run processes, load C or binary code, touch
-- files, reach the environment or the debug library.
local t = require "testlib"

t.case("no process, file, environment or debug access", function()
  for _, name in ipairs { "io", "package", "debug", "load", "loadfile", "dofile", "collectgarbage" } do
    t.eq(_G[name], nil, name)
  end
  for _, name in ipairs { "execute", "remove", "rename", "getenv", "exit", "tmpname", "setlocale" } do
    t.eq(os[name], nil, "os." .. name)
  end
  t.eq(string.dump, nil, "string.dump")
end)

t.case("require loads Lua text only, by module name", function()
  t.raises(function() require "../../etc/passwd" end, "module name '../../etc/passwd' has an empty part")
  t.raises(function() require "specs..mi350" end, "module name 'specs..mi350' has an empty part")
  t.raises(function() require "/etc/passwd" end, "not found")
  t.raises(function() require "socket.core" end, "module 'socket.core' not found")
  t.raises(function() require "sandbox.bytecode" end, "attempt to load a binary chunk")
end)

t.case("no finalizers: Lua runs them with the time limit off", function()
  t.raises(function() setmetatable({}, { __gc = function() while true do end end }) end,
           "__gc finalizers are not allowed")
  t.raises(function() setmetatable({}, { __gc = true }) end, "__gc finalizers are not allowed")
  -- other metatables still work, and __gc added later never finalizes
  local mt = { __index = function(_, k) return k .. "!" end }
  local o = setmetatable({}, mt)
  t.eq(o.x, "x!")
  mt.__gc = function() while true do end end
  t.eq(getmetatable(o), mt)
  -- rig's own objects: their metatables are out of reach
  t.eq(getmetatable(rig.uut), "locked")
end)

t.case("required modules share one loaded copy", function()
  t.eq(require "specs.mi350", require "specs.mi350")
end)

rig.step("DEPTH-ACC", {}, function(s)
  t.case("a step's metatable is out of reach", function() t.eq(getmetatable(s), "locked") end)
  s:judge("checks", { 1 }, { requirement = "DEPTH-ACC", count = 1 })
end)
t.done()
