-- The engine's floor (bench/run's eval_floor): six rules that each read one field of the
-- procurement and return pass. What bench/eval measures with them is the cost of a rule
-- call itself (parameters, the sandbox's budget, binding the procurement, turning the
-- outcome into a verdict), without the work a real rule does. Not a rule set to use.
ruleset {
  id = "floor",
  name = "Gulv for måling (bench)",
  language = "nb",
  municipalities = { "4601" },
}
