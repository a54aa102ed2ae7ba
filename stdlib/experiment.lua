--- experiment{…}: declares a recursive-training-loop experiment.
---
--- Every field is checked against one schema (type, range, default, doc line); unknown fields are
--- rejected with the closest valid name. `grid = { field = { v1, v2 } }` makes one cell per
--- combination; `seeds` are run for every cell.
---
--- Declare, then run: a file declares experiments; `ouro run` runs them after the file's main
--- chunk, in declaration order, and then calls each experiment's `after = function(r) … end` once,
--- with its results, in the coordinating process (never in a worker); `after_all(function(rs) … end)`
--- runs once when every experiment of the file is done (`rs[name]` is each one's results).
--- `ouro check` validates them and prints the plan. In the REPL, `e:run{ jobs = 2 }` runs one now.
---
---   experiment {
---     name = "tweets", human = ouro.data.load("tweets"), model = ouro.model.ngram{ order = 3 },
---     generations = 10, train_size = 1000, synthetic_ratio = 0.5, metrics = { "self_bleu" },
---   }
---
--- The exact semantics of each field are in docs/loop.md.
local ouro = ouro

local function where(field) return ouro._where(field) end

--- Raises `file:line: experiment: msg`, the line being that of `field` (a dotted path such as
--- "eval_size" or "sampling.temperature") when the file writes it in the experiment's table.
local function fail(msg, field)
  error(where(field) .. "experiment: " .. msg, 0)
end

local function show(v)
  if type(v) == "string" then return string.format("%q", #v > 60 and v:sub(1, 60) .. "…" or v) end
  return tostring(v)
end

-- Integers fit the engine's range (±(2^31 − 1), as LuaOptions.integerLimit): no NaN, inf or 1e300.
local integer_limit = 2147483647
local function is_integer(v)
  return type(v) == "number" and math.tointeger(v) ~= nil and math.abs(v) <= integer_limit
end
local function is_llm(v) return ouro._typename(v) == "LLM" end
local function is_model(v) return ouro._typename(v) == "NGram" or ouro._typename(v) == "ToyModel" or is_llm(v) end
local function is_data(v) return ouro._typename(v) == "Dataset" or ouro._typename(v) == "NumericData" end

-- Checks shared by schema entries.
local function number_in(lo, hi)
  return function(v, name)
    if type(v) == "function" then return end                       -- a schedule, checked per generation
    if type(v) ~= "number" then fail(("'%s' must be a number in [%g, %g] or function(g), got %s"):format(name, lo, hi, show(v)), name) end
    if not (v >= lo and v <= hi) then fail(("'%s' must be a number in [%g, %g], got %s"):format(name, lo, hi, show(v)), name) end
  end
end
local function integer_at_least(lo)
  return function(v, name)
    if not is_integer(v) or v < lo then
      fail(("'%s' must be an integer %s, got %s"):format(name,
        type(v) == "number" and v > integer_limit and ("in %d…%d"):format(lo, integer_limit) or ("≥ %d"):format(lo), show(v)), name)
    end
  end
end
local function one_of_types(types, what)
  return function(v, name)
    for _, t in ipairs(types) do if type(v) == t then return end end
    fail(("'%s' must be %s, got %s"):format(name, what, type(v)), name)
  end
end

--- The schema: one entry per field, in the order `ouro check` prints them. `swift` names the type the
--- engine decodes the field into (ExperimentFields, generated from this table by
--- ouro._experiment_fields_swift()) where the kind does not say it.
local schema = {
  { "name", kind = "string", default_text = "the file's name", doc = "experiment name (results go to results/<name>.db)",
    check = function(v, name)
      -- the same rule as ExperimentSpecReader.checkName: the name becomes a file name
      if type(v) ~= "string" or #v > 100 or not v:find("^[%w_%-][%w_%-%.]*$") then
        fail(("'%s' must be 1–100 letters, digits, '_', '-' and '.', not starting with '.', got %s"):format(name, show(v)))
      end
    end },
  { "human", kind = "Dataset or NumericData", swift = "LuaObject", doc = "the human pool: a Dataset (text) or NumericData (toy models)", required = true,
    check = function(v, name) if not is_data(v) then fail(("'%s' must be a Dataset or NumericData, got %s"):format(name, ouro._typename(v)), name) end end },
  { "model", kind = "model or list of models", swift = "ModelList", doc = "a model spec fitted fresh each generation, or a list of specs (one picked at random per generation)",
    check = function(v, name)
      local function not_llm(m)
        if is_llm(m) then
          fail(("'%s' cannot be an LLM: an LLM is fine-tuned, not fitted from scratch; give base = ouro.model.llm(…), finetune = { lora = { rank = 16 }, … }, prompt = \"…\""):format(name), name)
        end
      end
      if is_model(v) then not_llm(v) return end
      if type(v) == "table" and #v > 0 then
        for i, m in ipairs(v) do
          if not is_model(m) then fail(("'%s'[%d] must be a model, got %s"):format(name, i, ouro._typename(m)), name) end
          not_llm(m)
        end
        return
      end
      fail(("'%s' must be a model (ouro.model.ngram{…}, ouro.model.gaussian{…}, …) or a list of models, got %s"):format(name, ouro._typename(v)), name)
    end },
  { "base", kind = "model or LLM", swift = "LuaObject", doc = "a fitted model to finetune afresh each generation (with finetune = { weight = … }), or an LLM (ouro.model.llm) given a fresh LoRA each generation",
    check = function(v, name) if not is_model(v) then fail(("'%s' must be a fitted model, got %s"):format(name, ouro._typename(v)), name) end end },
  { "finetune", kind = "table", doc = "{ weight = w or function(g) }: weight of the new data when finetuning base (or the previous model with chain); for an LLM: { lora = { rank, alpha, targets, rslora }, learning_rate, epochs, batch_size, gradient_accumulation_steps, weight_decay, max_length, warmup_steps, max_grad_norm, shuffle } (the study's recipe for what is left out)",
    check = function(v, name)
      if type(v) ~= "table" then fail(("'%s' must be a table, got %s"):format(name, type(v)), name) end
      -- the keys depend on the model: checked with the other fields (check_model_fields)
    end },
  { "prompt", kind = "string or function(text)", swift = "LuaValue", doc = "an LLM's instruction for each document: a string, or function(text) → string (per-document instructions)",
    check = one_of_types({ "string", "function" }, "a string or a function(text) returning one") },
  { "chain", kind = "boolean", default = false, doc = "finetune the previous generation's model instead of a fresh base (an LLM: continue the previous generation's adapter)" },
  { "generations", kind = "integer", min = 1, default = 10, doc = "number of generations (generation 0 is the model trained on human data alone)" },
  { "train_size", kind = "integer", min = 1, required = true, doc = "documents in every training set" },
  { "synthetic_ratio", kind = "number", min = 0, max = 1, schedule = true, default = 0.5, doc = "fraction of synthetic documents for g ≥ 1" },
  { "fresh_human", kind = "boolean", default = true, doc = "each generation gets a disjoint fresh slice of the human pool" },
  -- Issue 18: the accumulation modes, side by side in docs/loop.md ("Training sets"); the names
  -- are ExperimentFields.AccumulateMode.names.
  { "accumulate", kind = "boolean or mode name", swift = "AccumulateMode", default = true, doc = "false/\"replace\", true/\"pool\" (stratified pool of generations ≥ 1), \"pool-shuffled\", \"subsample\" (from everything, generation 0 included), \"all\"",
    check = function(v, name)
      local modes = { replace = true, pool = true, ["pool-shuffled"] = true, subsample = true, all = true }
      if type(v) ~= "boolean" and not modes[v] then
        fail(("'%s' must be true, false, \"replace\", \"pool\", \"pool-shuffled\", \"subsample\" or \"all\", got %s"):format(name, show(v)), name)
      end
    end },
  { "sampling", kind = "table or function(g)", swift = "TableOrFunction", default = {}, doc = "generation options (temperature, top_k, top_p, min_p, repetition_penalty, max_new_tokens) or function(g)",
    check = function(v, name)
      if type(v) == "function" then return end
      if type(v) ~= "table" then fail(("'%s' must be a table or function(g), got %s"):format(name, type(v)), name) end
      ouro.check_options(v, "experiment: sampling", { "temperature", "top_k", "top_p", "min_p", "repetition_penalty", "max_new_tokens", "prompt" }, name)
    end },
  { "curate", kind = "function(doc) or table", swift = "TableOrFunction", doc = "function(doc) → keep?, or { metric = name, keep = \"top\"|\"bottom\", fraction = x }",
    check = function(v, name)
      if type(v) == "function" then return end
      if type(v) ~= "table" then fail(("'%s' must be a function or a table, got %s"):format(name, type(v)), name) end
      ouro.check_options(v, "experiment: curate", { "metric", "keep", "fraction" }, name)
      if type(v.metric) ~= "string" then fail("'curate.metric' must name a metric", "curate.metric") end
      if v.keep ~= "top" and v.keep ~= "bottom" then fail("'curate.keep' must be \"top\" or \"bottom\", got " .. show(v.keep), "curate.keep") end
      number_in(0, 1)(v.fraction, "curate.fraction")
    end },
  { "metrics", kind = "list of metric names", swift = "[String]", default = {}, doc = "metric names computed each generation (ouro.metrics.list())",
    check = function(v, name)
      if type(v) ~= "table" then fail(("'%s' must be a list of metric names, got %s"):format(name, type(v)), name) end
      for i, m in ipairs(v) do
        if type(m) == "table" and m.classifier ~= nil then
          -- { classifier = clf, score = "lean", right = …, left = …, name = … }: a classifier as a metric
          ouro.check_options(m, "experiment: metrics[" .. i .. "]", { "classifier", "score", "right", "left", "name" }, name)
          if ouro._typename(m.classifier) ~= "Classifier" then fail(("'%s'[%d].classifier must be a Classifier"):format(name, i), name) end
          local score = m.score or "lean"
          if score ~= "lean" and type(score) ~= "string" then fail(("'%s'[%d].score must be \"lean\" or a label"):format(name, i), name) end
          local metric = m.name or (score == "lean" and "lean" or ("p_" .. score))
          if ouro._metric_hint(metric) ~= nil then
            local clf = m.classifier
            if score == "lean" then
              local right, left = m.right or "Republican", m.left or "Democratic"
              ouro.metrics.register(metric, function(texts) return clf:lean(texts, { right = right, left = left }) end,
                { description = ("classifier lean P(%s) − P(%s)"):format(right, left) })
            else
              ouro.metrics.register(metric, function(texts)
                local s = 0
                for _, p in ipairs(clf:predict(texts)) do s = s + (p[score] or 0) end
                return s / #texts
              end, { description = ("mean classifier probability of '%s'"):format(score) })
            end
          end
          v[i] = metric
        elseif type(m) ~= "string" then
          fail(("'%s'[%d] must be a metric name or { classifier = clf, score = \"lean\" }, got %s"):format(name, i, type(m)), name)
        else
          local known = ouro._metric_hint(m)
          if known then fail(("unknown metric '%s'%s"):format(m, known), name) end
        end
      end
    end },
  { "eval_size", kind = "integer", min = 0, default = 250, doc = "generated documents evaluated per generation (0: no metrics)" },
  { "seeds", kind = "list of integers ≥ 0", swift = "[Int]", default = { 1 }, doc = "one run per seed and cell",
    check = function(v, name)
      if type(v) ~= "table" or #v == 0 then fail(("'%s' must be a non-empty list of integers"):format(name), name) end
      for i, s in ipairs(v) do if not is_integer(s) or s < 0 then fail(("'%s'[%d] must be an integer ≥ 0, got %s"):format(name, i, show(s)), name) end end
    end },
  { "grid", kind = "table", doc = "{ field = { v1, v2, … } }: one cell per combination of values; or a list of cells { { field = v, … }, … }",
    check = function(v, name) if type(v) ~= "table" then fail(("'%s' must be a table, got %s"):format(name, type(v)), name) end end },
  { "after", kind = "function(r)", doc = "run once with the results (Results) when every cell is done, in the coordinating process" },
}

-- The checks that follow from an entry's kind and range (entries with their own `check` keep it).
for _, f in ipairs(schema) do
  if not f.check then
    if f.kind == "integer" then f.check = integer_at_least(f.min)
    elseif f.kind == "number" then f.check = number_in(f.min, f.max)
    elseif f.kind == "boolean" then f.check = one_of_types({ "boolean" }, "true or false")
    elseif f.kind == "function(r)" then f.check = one_of_types({ "function" }, "a function(r)")
    else error("experiment.lua: field '" .. f[1] .. "' of kind '" .. f.kind .. "' needs a check") end
  end
end

local by_name, names = {}, {}
for _, f in ipairs(schema) do by_name[f[1]] = f; names[#names + 1] = f[1] end

local function copy(t) local c = {} for k, v in pairs(t) do c[k] = v end return c end

local function check_varying(k)
  if type(k) ~= "string" or not by_name[k] or k == "grid" or k == "seeds" or k == "after" then
    fail(("grid: '%s' is not a field that can vary"):format(tostring(k)), "grid." .. tostring(k))
  end
end

--- The fields that depend on the kind of model: an LLM (base = ouro.model.llm(…)) takes LoRA
--- fine-tuning options (validated by the engine's reader, ouro._check_finetune) and needs a prompt;
--- other models take finetune = { weight = … }.
local function check_model_fields(s, where_)
  if is_llm(s.base) then
    if s.finetune ~= nil then
      local msg = ouro._check_finetune(s.finetune)
      if msg then fail(where_ .. "finetune: " .. msg, "finetune") end
    end
    if s.prompt == nil then fail(where_ .. "an LLM needs prompt = \"…\": the instruction each document answers (a string or function(text))", "base") end
    if type(s.sampling) == "table" and s.sampling.prompt ~= nil then
      fail(where_ .. "'sampling.prompt' is for n-gram models; an LLM samples with the experiment's 'prompt'", "sampling.prompt")
    end
    return
  end
  if s.prompt ~= nil then fail(where_ .. "'prompt' is the instruction of an LLM's documents; this experiment's model is not an LLM", "prompt") end
  if s.finetune ~= nil then
    ouro.check_options(s.finetune, "experiment: finetune", { "weight" }, "finetune")
    if s.finetune.weight == nil then fail(where_ .. "'finetune' needs a weight, e.g. finetune = { weight = 0.5 }", "finetune") end
    number_in(0, 1)(s.finetune.weight, "finetune.weight")
  end
  if s.base ~= nil and s.finetune == nil then fail(where_ .. "'base' needs finetune = { weight = … }", "base") end
  if s.chain and s.finetune == nil then fail(where_ .. "'chain' needs finetune = { weight = … }", "chain") end
end

--- Checks that a cell's fields do not contradict each other (also after grid values are set).
--- Issue 18 (eval_size = 0 is allowed, but not with metrics); issue 13's field table may own this.
local function check_consistent(s, where_)
  check_model_fields(s, where_)
  if s.eval_size == 0 and #s.metrics > 0 then
    fail(("%s'eval_size' = 0 computes no metric, yet 'metrics' names %d; give eval_size ≥ 1 or no metrics"):format(where_, #s.metrics))
  end
end

--- Expands the grid into cells. A cross product { field = { v1, v2 } }: keys in alphabetical
--- order, the last varying fastest. A list of cells { { field = v, … }, … } (paired values):
--- one cell per entry, in order.
local function expand(spec)
  local grid = spec.grid
  if grid == nil then return { { index = 1, params = {}, spec = spec } } end
  local cells = {}
  if #grid > 0 then
    -- Paired values (issue 18; the field table of issue 13 may absorb this check).
    for k in pairs(grid) do
      if math.type(k) ~= "integer" then fail(("grid: mix of a list of cells and field '%s'; give either { { field = v, … }, … } or { field = { v1, v2 } }"):format(tostring(k))) end
    end
    for i, entry in ipairs(grid) do
      if type(entry) ~= "table" or next(entry) == nil then fail(("grid[%d] must be a table { field = value, … }"):format(i)) end
      for k in pairs(entry) do check_varying(k) end
      cells[i] = { params = copy(entry) }
    end
  else
    local keys = {}
    for k, values in pairs(grid) do
      check_varying(k)
      if type(values) ~= "table" or #values == 0 then fail(("grid: '%s' must list at least one value"):format(k), "grid." .. k) end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    cells = { { params = {} } }
    for _, k in ipairs(keys) do
      local next_cells = {}
      for _, c in ipairs(cells) do
        for _, v in ipairs(grid[k]) do
          local p = copy(c.params); p[k] = v
          next_cells[#next_cells + 1] = { params = p }
        end
      end
      cells = next_cells
    end
  end
  for i, c in ipairs(cells) do
    c.index = i
    c.spec = copy(spec)
    c.spec.grid = nil
    for k, v in pairs(c.params) do
      by_name[k].check(v, "grid." .. k)
      c.spec[k] = v
    end
    check_consistent(c.spec, ("cell %d: "):format(i))
  end
  return cells
end

--- A field's value as the plan prints it (engine objects by their tostring; functions and tables
--- by shape, so the text never holds an address).
local function render(v, depth)
  depth = depth or 0
  if type(v) == "string" then return show(v) end
  if type(v) == "function" then return "function" end
  if type(v) ~= "table" or getmetatable(v) ~= nil then return tostring(v) end
  if depth > 1 then return "{…}" end
  local parts = {}
  for i, x in ipairs(v) do
    if #v > 10 and i == 9 then parts[#parts + 1] = "…" elseif #v <= 10 or i < 9 or i == #v then parts[#parts + 1] = render(x, depth + 1) end
  end
  if #v > 10 then parts[#parts] = parts[#parts] .. (" (%d values)"):format(#v) end
  local keys = {}
  for k in pairs(v) do if math.type(k) ~= "integer" or k < 1 or k > #v then keys[#keys + 1] = tostring(k) end end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. " = " .. render(v[k], depth + 1) end
  return #parts == 0 and "{}" or "{ " .. table.concat(parts, ", ") .. " }"
end

--- The fields part of `ouro check`'s plan, generated from the schema: every field the experiment
--- has, in the table's order, with its value; fields some cell sets (its grid values) say so,
--- defaults are marked.
local function plan_lines(s, defaulted, cells)
  local varying = {}
  for _, c in ipairs(cells) do for k in pairs(c.params) do varying[k] = true end end
  local lines = {}
  for _, f in ipairs(schema) do
    local name = f[1]
    if name ~= "name" and name ~= "grid" and (s[name] ~= nil or varying[name]) then
      local text = varying[name] and "by cell (grid)" or render(s[name])
      if defaulted[name] and not varying[name] then text = text .. "   (default)" end
      lines[#lines + 1] = ("  %-16s %s"):format(name, text)
    end
  end
  return table.concat(lines, "\n")
end

local Experiment = {}
Experiment.__index = Experiment
Experiment.__name = "Experiment"

function Experiment:__tostring()
  return ("Experiment(%s: %d cell%s × %d seed%s × %d generations)"):format(self.name, #self.cells,
    #self.cells == 1 and "" or "s", #self.spec.seeds, #self.spec.seeds == 1 and "" or "s", self.spec.generations)
end

--- The plan as text: cells, seeds, generations, data needed.
function Experiment:plan()
  return ouro._plan(self)
end

--- Runs the experiment now (REPL), calls its `after`, and returns its results:
--- e:run{ jobs = 1, out = "x.db", resume = false, force = false }. A file does not call it: `ouro run`
--- runs what the file declares.
function Experiment:run(opts)
  opts = opts or {}
  ouro.check_options(opts, "Experiment:run", { "jobs", "out", "resume", "force", "quiet" })
  return ouro._run_experiment(self, opts)
end

ouro._experiments = ouro._experiments or {}
ouro._after_all = ouro._after_all or {}

--- after_all(function(rs) … end): called once by `ouro run` when every experiment of the file is
--- done, in the coordinating process; `rs[name]` holds each experiment's results.
function after_all(f)
  if type(f) ~= "function" then error(where() .. "after_all: expected a function(rs), got " .. type(f), 0) end
  ouro._after_all[#ouro._after_all + 1] = f
end

function experiment(spec)
  if type(spec) ~= "table" then fail("expected a table of fields, got " .. type(spec)) end
  for k in pairs(spec) do
    if type(k) ~= "string" or not by_name[k] then ouro.check_options({ [tostring(k)] = true }, "experiment", names, "") end
  end
  local s, defaulted = copy(spec), {}
  for _, f in ipairs(schema) do
    local name = f[1]
    if s[name] == nil then
      if f.required then fail(("'%s' is required (%s)"):format(name, f.doc), name) end
      if type(f.default) == "table" then s[name] = copy(f.default) else s[name] = f.default end
      defaulted[name] = s[name] ~= nil
    end
    if s[name] ~= nil and f.check then f.check(s[name], name) end
  end
  if s.name == nil then s.name = ouro._script_name() end
  if s.base == nil and s.model == nil then fail("give a model: model = ouro.model.ngram{ … } (or base = m, finetune = { weight = … })") end
  if s.grid == nil then check_consistent(s, "") end
  local cells = expand(s)
  local e = setmetatable({ name = s.name, spec = s, cells = cells, where = where(), plan_fields = plan_lines(s, defaulted, cells) }, Experiment)
  for _, other in ipairs(ouro._experiments) do
    if other.name == e.name then fail(("another experiment is already named '%s' (%s)"):format(e.name, other.where)) end
  end
  ouro._experiments[#ouro._experiments + 1] = e
  return e
end

--- The documented fields, for :help and docs.
ouro.experiment_fields = schema

--- The Swift side of the table: the properties and coding keys of `ExperimentFields`
--- (Sources/OuroLua/Experiments/ExperimentFields.swift holds a copy between `// fields` markers; a
--- test keeps the two equal). Optional exactly when the field has neither a default nor `required`.
function ouro._experiment_fields_swift()
  local by_kind = { integer = "Int", boolean = "Bool", string = "String", table = "LuaTable", ["function(r)"] = "LuaFunctionRef" }
  local function camel(name) return (name:gsub("_(%l)", string.upper)) end
  local props, keys = {}, {}
  for _, f in ipairs(schema) do
    local t = f.swift or (f.kind == "number" and (f.schedule and "NumberOrFunction" or "Double")) or by_kind[f.kind]
    if not t then error("experiment.lua: field '" .. f[1] .. "' of kind '" .. f.kind .. "' needs swift = \"Type\"") end
    local optional = not f.required and f.default == nil and f.default_text == nil
    props[#props + 1] = ("    var %s: %s%s"):format(camel(f[1]), t, optional and "?" or "")
    keys[#keys + 1] = camel(f[1]) == f[1] and ("        case %s"):format(f[1]) or ("        case %s = %q"):format(camel(f[1]), f[1])
  end
  return table.concat(props, "\n") .. "\n\n    enum CodingKeys: String, CodingKey, CaseIterable {\n" .. table.concat(keys, "\n") .. "\n    }\n"
end

--- The field reference as a Markdown table, generated from the schema (docs/loop.md holds a copy
--- between `<!-- fields -->` markers; a test keeps the two equal).
function ouro.experiment_field_reference()
  local function kind(f)
    local k = f.kind
    if f.min and f.max then k = ("%s in [%g, %g]"):format(k, f.min, f.max)
    elseif f.min then k = ("%s ≥ %g"):format(k, f.min) end
    if f.schedule then k = k .. " or function(g)" end
    return k
  end
  local function default(f)
    if f.required then return "required" end
    if f.default_text then return f.default_text end
    if f.default == nil then return "—" end
    if type(f.default) == "table" then
      local parts = {}
      for _, v in ipairs(f.default) do parts[#parts + 1] = tostring(v) end
      return "`{" .. (#parts > 0 and " " .. table.concat(parts, ", ") .. " " or "") .. "}`"
    end
    return "`" .. tostring(f.default) .. "`"
  end
  local lines = { "| field | kind | default | meaning |", "|---|---|---|---|" }
  for _, f in ipairs(schema) do
    lines[#lines + 1] = ("| `%s` | %s | %s | %s |"):format(f[1], kind(f), default(f), (f.doc:gsub("|", "\\|")))
  end
  return table.concat(lines, "\n") .. "\n"
end
return experiment
