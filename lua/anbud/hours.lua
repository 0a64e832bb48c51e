-- anbud.hours: sums of the monthly hour reports (contracts[].implementation.hourReports:
-- period, trade, totalHours, apprenticeHours, skilledHours, hiredHours). Bergen follows the
-- share of apprentices, skilled workers and hired staff per trade (fag) from them.

local M = {}

-- reports without a trade are summed under this key; their sum has trade = nil
local NO_TRADE = {}

local function num(v)
  if type(v) == "number" then
    return v
  end
  return 0
end

local function new_sum(trade)
  return { trade = trade, reports = 0, total = 0, apprentice = 0, skilled = 0, hired = 0,
    periods = {} }
end

-- adds value to the list unless it is there already
local function add_once(list, value)
  local n = #list
  for i = 1, n do
    if list[i] == value then
      return
    end
  end
  list[n + 1] = value
end

local function add(s, r)
  s.reports = s.reports + 1
  s.total = s.total + num(r.total_hours)
  s.apprentice = s.apprentice + num(r.apprentice_hours)
  s.skilled = s.skilled + num(r.skilled_hours)
  s.hired = s.hired + num(r.hired_hours)
  local period = r.period
  local kind = type(period)
  if kind == "string" then
    add_once(s.periods, period)
  elseif kind == "userdata" then
    local start = period.start_date
    if type(start) == "string" then
      add_once(s.periods, start:sub(1, 7))
    end
  end
end

-- totals(reports) --> one sum over every report: {reports, total, apprentice, skilled, hired}
function M.totals(reports)
  local s = new_sum(nil)
  for _, r in ipairs(reports or {}) do
    add(s, r)
  end
  return s
end

-- by_trade(reports) --> a list of sums, one per trade, in the order trades first appear;
-- reports without a trade are summed together, with trade = nil
function M.by_trade(reports)
  local sums, order = {}, {}
  for _, r in ipairs(reports or {}) do
    local trade = r.trade
    if type(trade) ~= "string" or trim(trade) == "" then
      trade = NO_TRADE
    end
    if not sums[trade] then
      sums[trade] = new_sum(trade ~= NO_TRADE and trade or nil)
      order[#order + 1] = sums[trade]
    end
    add(sums[trade], r)
  end
  return order
end

-- share(part, total) --> part / total, or nil when no hours were reported
function M.share(part, total)
  if type(total) ~= "number" or total <= 0 then
    return nil
  end
  return part / total
end

-- contracts(p) --> a list of {contract, id, reports} for each contract of the process,
-- with its hour reports as a plain list
function M.contracts(p)
  local out = {}
  for i, c in ipairs(p.contracts or {}) do
    local reports = {}
    for _, r in ipairs(c.hour_reports) do
      reports[#reports + 1] = r
    end
    out[#out + 1] = { contract = c, id = c.id or tostring(i), reports = reports }
  end
  return out
end

-- all_reports(p) --> every hour report of every contract of the process
function M.all_reports(p)
  local out = {}
  for _, c in ipairs(M.contracts(p)) do
    for _, r in ipairs(c.reports) do
      out[#out + 1] = r
    end
  end
  return out
end

-- plain(s, share_of) --> a sum as plain evidence, with the share of one kind of hours
function M.plain(s, share_of)
  return {
    trade = s.trade,
    reports = s.reports,
    periods = s.periods,
    total_hours = s.total,
    apprentice_hours = s.apprentice,
    skilled_hours = s.skilled,
    hired_hours = s.hired,
    share = share_of and M.share(s[share_of], s.total) or nil,
  }
end

return M
