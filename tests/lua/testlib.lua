-- A minimal test library for scripts run by `rig run` (tests/run-lua):
-- every case prints "ok - name" or "not ok - name: why"; done() prints the
-- closing count the runner requires (a script that dies never prints it).
local t = { passed = 0, failed = 0 }

function t.case(name, fn)
  local ok, err = pcall(fn)
  if ok then
    t.passed = t.passed + 1
    print("ok - " .. name)
  else
    t.failed = t.failed + 1
    print("not ok - " .. name .. ": " .. tostring(err))
  end
end

function t.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: want %s, got %s", what or "value", tostring(want), tostring(got)), 2)
  end
end

function t.near(got, want, tol, what)
  if type(got) ~= "number" or math.abs(got - want) > tol then
    error(string.format("%s: want %.10g +- %g, got %s", what or "value", want, tol, tostring(got)), 2)
  end
end

function t.raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then error("expected an error matching '" .. pattern .. "'", 2) end
  if not tostring(err):find(pattern) then
    error("error '" .. tostring(err) .. "' does not match '" .. pattern .. "'", 2)
  end
end

function t.done()
  print(string.format("# done: %d passed, %d failed", t.passed, t.failed))
end

return t
