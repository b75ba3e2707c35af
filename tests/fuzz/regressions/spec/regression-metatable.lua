return { regression = setmetatable({}, { __index = function() error("x") end }) }
